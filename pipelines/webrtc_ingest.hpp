#pragma once

// One receive-only WebRTC publish: webrtcbin plus depay/parse per codec plus
// outputs (a Matroska recording for now). GStreamer only: no CAF here. The
// pipeline actor (actors/pipeline.hpp) adapts this class to messages.
//
// Threading: every method is called from one thread at a time (the owning
// actor). Callbacks in `ingest_events` run on GStreamer threads; they must
// only hand the event to the owner (e.g. caf::anon_send) and return.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipelines/result.hpp"
#include "pipelines/sdp.hpp"

namespace sluice::pipelines {

/// Where and how ICE gathers. Defaults work with zero config, including in a
/// loopback-only network namespace.
struct ice_settings {
  /// Local addresses to gather on. Empty means every up interface, loopback
  /// included.
  std::vector<std::string> bind_addresses;
  /// If set, host candidates in the answer carry this address instead
  /// (NAT 1:1, e.g. a Kubernetes node IP).
  std::string announce_address;
  /// UDP port range for media; 0/0 lets the OS choose.
  uint16_t min_port = 0;
  uint16_t max_port = 0;
};

struct ingest_settings {
  std::string stream_id;  ///< Already validated by the caller.
  std::string session_id; ///< Unique per publish, used in file names.
  bool record = true;
  /// Recordings go to <recordings_root>/<stream_id>/<utc>-<session_id>.mkv.
  std::filesystem::path recordings_root = "recordings";
  ice_settings ice;
  /// Upper bound for waiting on the EOS at the file sink when closing.
  std::chrono::milliseconds finalize_timeout{2000};
};

/// ICE connection state, mirrored from GstWebRTCICEConnectionState.
enum class ice_state { fresh, checking, connected, completed, failed,
                       disconnected, closed };

const char* to_string(ice_state s) noexcept;

/// Callbacks from GStreamer threads. Each may be empty.
struct ingest_events {
  /// The local answer, once ICE gathering completed (or failed).
  std::function<void(result<std::string> answer_sdp)> on_answer;
  /// Every ICE connection state change.
  std::function<void(ice_state)> on_ice_state;
  /// The peer closed DTLS (close_notify) or sent RTCP BYE.
  std::function<void()> on_client_closed;
  /// The first buffer of a track arrived; kind is "audio" or "video".
  std::function<void(std::string kind, std::string codec)> on_track;
  /// A fatal pipeline error; the message is for logs.
  std::function<void(std::string message)> on_error;
};

/// Counters read by the health check. Safe to call from the owner thread.
struct ingest_stats {
  uint64_t rtp_packets = 0;
  uint64_t rtp_bytes = 0;
  /// Time since the last RTP packet arrived; nullopt before the first one.
  std::optional<std::chrono::milliseconds> since_last_media;
  ice_state ice = ice_state::fresh;
  bool dtls_connected = false;
};

// prepare_offer(), sdpfrag and parse_sdpfrag() live in pipelines/sdp.hpp.

/// Number of webrtc_ingest objects alive in this process (for the node's
/// leak check and tests).
int64_t webrtc_ingest_live_count() noexcept;

class webrtc_ingest {
public:
  /// Builds the pipeline and sets it PLAYING. Does not negotiate yet.
  static result<std::unique_ptr<webrtc_ingest>> create(ingest_settings settings,
                                                       ingest_events events);

  /// Closes (see close()).
  ~webrtc_ingest();

  webrtc_ingest(const webrtc_ingest&) = delete;
  webrtc_ingest& operator=(const webrtc_ingest&) = delete;

  /// Applies an offer returned by prepare_offer() and starts creating the
  /// answer; the result arrives through `on_answer`.
  void negotiate(const std::string& prepared_offer);

  /// The current local description, with whatever candidates exist so far.
  /// Used when gathering takes longer than the caller wants to wait.
  std::optional<std::string> local_description() const;

  /// The ICE ufrag of the local answer, empty before negotiation.
  std::string local_ufrag() const;

  /// The remote ICE ufrag from the offer.
  std::string remote_ufrag() const;

  /// Adds trickled remote candidates. Fails with ec::ice_restart_unsupported
  /// if the fragment carries a different ufrag, ec::bad_request on a mid that
  /// is not in the offer.
  result<bool> add_remote_candidates(const sdpfrag& frag);

  ingest_stats stats() const;

  /// Absolute path of the recording, empty if recording is off.
  std::filesystem::path recording_path() const;

  /// Tears down in the one documented order: disconnect signals, remove the
  /// bus handler, finalize the recording (EOS into the muxer, wait for it at
  /// the file sink, bounded by finalize_timeout), set the pipeline to NULL,
  /// drop refs. Idempotent; after it returns, no callback runs again.
  void close();

  struct impl;

private:
  explicit webrtc_ingest(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::pipelines
