#pragma once

// The part of a webrtc_ingest that GStreamer callbacks see. Every callback
// holds a shared_ptr to it (see gst/user_data.hpp), so a callback racing
// with close() finds a live object whose `closed` flag is set, never freed
// memory. Internal to pipelines/.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "pipelines/gst/bus_sync_guard.hpp"
#include "pipelines/gst/pad_probe.hpp"
#include "pipelines/gst/unique.hpp"
#include "pipelines/gst/ref.hpp"
#include "pipelines/gst/signal_connection.hpp"
#include "pipelines/outputs/record.hpp"
#include "pipelines/sdp.hpp"
#include "pipelines/webrtc_ingest.hpp"

namespace sluice::pipelines {

struct ingest_core {
  ingest_settings settings;

  // -- Set in create(), reset at the end of close() (owner thread). Read by
  //    callbacks only while `closed` is false.
  gst::ref<GstElement> pipeline;
  gst::ref<GstElement> webrtc;
  std::unique_ptr<outputs::record_output> record;

  // -- The events gate. fire() holds the mutex while the callback runs, so
  //    once close() has set `closed` (under the same mutex) no event is in
  //    flight and none follows. Events must not call back into the ingest.
  std::mutex events_mutex;
  bool closed = false;
  ingest_events events;

  template <class F>
  void fire(F&& f) {
    std::lock_guard guard{events_mutex};
    if (!closed)
      f(events);
  }

  // -- Negotiation (owner thread and webrtcbin thread), under state_mutex.
  mutable std::mutex state_mutex;
  offer_summary offer;
  std::string local_ufrag;
  bool local_set = false;
  std::atomic<bool> answer_sent{false};

  // -- Negotiation ops (set-remote-description, create-answer,
  //    set-local-description) queued on webrtcbin's own thread. Each counts
  //    from the emit until webrtcbin frees its promise, replied or not.
  //    close() waits for zero before setting the pipeline to NULL: an op
  //    still running then adds transport bins to webrtcbin while webrtcbin
  //    goes to NULL, and such a bin is orphaned with its nicesrc PLAYING
  //    (a thread, the UDP sockets, never freed).
  std::mutex ops_mutex;
  std::condition_variable ops_idle;
  int ops_in_flight = 0;

  void op_started() {
    std::lock_guard guard{ops_mutex};
    ++ops_in_flight;
  }
  void op_finished() {
    std::lock_guard guard{ops_mutex};
    if (--ops_in_flight == 0)
      ops_idle.notify_all();
  }
  /// True if no op is in flight within `timeout`.
  bool wait_ops_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock{ops_mutex};
    return ops_idle.wait_for(lock, timeout, [this] { return ops_in_flight == 0; });
  }

  // -- Tracks and connections made from GStreamer threads, under
  //    branch_mutex. `closing` stops new ones once close() began.
  std::mutex branch_mutex;
  bool closing = false;
  std::vector<gst::signal_connection> late_connections;

  // -- Stats, lock-free: written per packet on streaming threads.
  std::atomic<uint64_t> rtp_packets{0};
  std::atomic<uint64_t> rtp_bytes{0};
  std::atomic<int64_t> last_media_ns{-1}; // steady_clock; -1: none yet
  std::atomic<int> ice{0};                // ice_state
  std::atomic<bool> dtls_connected{false};
  std::atomic<bool> dtls_ever_connected{false};
  std::atomic<bool> client_closed_sent{false};

  /// The webrtcbin while not closed (callbacks use this, never `webrtc`).
  gst::ref<GstElement> live_webrtc() {
    std::lock_guard guard{events_mutex};
    return closed ? gst::ref<GstElement>{} : webrtc;
  }

  /// Reports a failed negotiation once.
  void fail_negotiation(const std::string& why);

  /// Sends the local description as the answer, once.
  void send_answer();

  /// Reports that the client closed the transport, once.
  void client_closed(const char* how);
};

/// Connects webrtcbin/rtpbin signals and the bus handler; the returned
/// connections are owned (and disconnected first) by close().
std::vector<gst::signal_connection>
connect_ingest_signals(const std::shared_ptr<ingest_core>& core);

/// Installs the bus sync handler forwarding ERROR messages to on_error.
gst::bus_sync_guard install_bus_handler(const std::shared_ptr<ingest_core>& core);

/// Starts set-remote-description → create-answer → set-local-description;
/// the answer is sent once gathering completed.
void start_negotiation(const std::shared_ptr<ingest_core>& core,
                       gst::unique<GstSDPMessage> offer);

/// The local description as text, empty if there is none.
std::string local_description_text(GstElement* webrtc);

} // namespace sluice::pipelines
