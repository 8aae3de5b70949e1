// GStreamer callbacks of webrtc_ingest. Each says which thread it runs on.
// They only touch atomics, the mutex-guarded parts of ingest_core, and the
// events (through ingest_core::fire).

#include <algorithm>

#include "pipelines/gst/webrtc.hpp"
#include <spdlog/spdlog.h>

#include "pipelines/ingest_core.hpp"
#include "pipelines/track_branch.hpp"

namespace sluice::pipelines {

namespace {

using core_ptr = std::shared_ptr<ingest_core>;

std::string name_of(const ingest_core& core) {
  return core.settings.stream_id + "/" + core.settings.session_id;
}

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

// The user data of a negotiation promise: one op in flight (see
// ingest_core::ops_in_flight) until webrtcbin frees the promise.
struct pending_op {
  explicit pending_op(core_ptr c) : core(std::move(c)) { core->op_started(); }
  ~pending_op() { core->op_finished(); }
  pending_op(const pending_op&) = delete;
  pending_op& operator=(const pending_op&) = delete;
  core_ptr core;
};

// Emits a webrtcbin action signal that takes (arg, promise) and calls `func`
// when the promise is replied. webrtcbin takes its own references to the
// promise; ours is dropped right after the emit, never in the callback: an
// op still queued when webrtcbin goes to NULL is freed without a reply, and
// a reference kept for the callback would then leak the promise and, through
// its user data, the ingest core.
void emit_with_promise(GstElement* webrtc, const char* signal, gpointer arg,
                       GstPromiseChangeFunc func, const core_ptr& core) {
  auto promise = gst::take(gst_promise_new_with_change_func(
    func, gst::box(std::make_shared<pending_op>(core)),
    gst::free_box<pending_op>));
  g_signal_emit_by_name(webrtc, signal, arg, promise.get());
}

// True if the promise was answered without an "error" field.
bool promise_ok(GstPromise* promise, std::string& why) {
  if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) {
    why = "promise interrupted";
    return false;
  }
  auto* reply = gst_promise_get_reply(promise);
  if (reply != nullptr && gst_structure_has_field(reply, "error")) {
    GError* raw = nullptr;
    gst_structure_get(reply, "error", G_TYPE_ERROR, &raw, nullptr);
    auto err = gst::take(raw);
    why = err ? err->message : "unknown error";
    return false;
  }
  return true;
}

// -- Bus: runs on the thread that posts the message.
GstBusSyncReply on_bus_message(GstBus*, GstMessage* msg, gpointer data) {
  auto& core = gst::unbox<ingest_core>(data);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* raw_err = nullptr;
    gchar* raw_dbg = nullptr;
    gst_message_parse_error(msg, &raw_err, &raw_dbg);
    auto err = gst::take(raw_err);
    auto dbg = gst::take(raw_dbg);
    std::string text = std::string{GST_MESSAGE_SRC_NAME(msg)} + ": "
                       + (err ? err->message : "error");
    spdlog::error("ingest {} pipeline error: {} ({})", name_of(core), text,
                  dbg ? dbg.get() : "");
    core.fire([&](ingest_events& ev) {
      if (ev.on_error)
        ev.on_error(text);
    });
  }
  // Nobody pops this bus, so every message is dropped here; a sync handler
  // that returns DROP owns the message and must release it.
  gst::take(msg);
  return GST_BUS_DROP;
}

// -- Pad probes: run on the streaming thread pushing out of webrtcbin (the
//    jitterbuffer's task for that SSRC).
GstPadProbeReturn on_rtp(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto& core = gst::unbox<ingest_core>(data);
  if ((info->type & GST_PAD_PROBE_TYPE_BUFFER) != 0) {
    core.rtp_packets.fetch_add(1, std::memory_order_relaxed);
    core.rtp_bytes.fetch_add(gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info)),
                             std::memory_order_relaxed);
  } else if (auto* list = GST_PAD_PROBE_INFO_BUFFER_LIST(info)) {
    core.rtp_packets.fetch_add(gst_buffer_list_length(list),
                               std::memory_order_relaxed);
    core.rtp_bytes.fetch_add(gst_buffer_list_calculate_size(list),
                             std::memory_order_relaxed);
  }
  core.last_media_ns.store(steady_now_ns(), std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

struct track_note {
  core_ptr core;
  std::string kind;
  std::string codec;
};

GstPadProbeReturn on_first_buffer(GstPad*, GstPadProbeInfo*, gpointer data) {
  auto& note = gst::unbox<track_note>(data);
  spdlog::info("ingest {} first {} buffer codec={}", name_of(*note.core),
               note.kind, note.codec);
  note.core->fire([&](ingest_events& ev) {
    if (ev.on_track)
      ev.on_track(note.kind, note.codec);
  });
  return GST_PAD_PROBE_REMOVE;
}

unsigned mline_of(GstPad* pad) {
  GObject* raw = nullptr;
  g_object_get(pad, "transceiver", &raw, nullptr);
  auto trans = gst::ref<GObject>::adopt(raw);
  guint index = 0;
  if (trans)
    g_object_get(trans.get(), "mlineindex", &index, nullptr);
  return index;
}

// -- pad-added: runs on the streaming thread of webrtcbin's rtpbin when a
//    new SSRC/payload type starts flowing.
void on_pad_added(GstElement*, GstPad* pad, gpointer data) {
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
    return;
  auto& self = gst::unbox_shared<ingest_core>(data);
  auto& core = *self;
  std::lock_guard guard{core.branch_mutex};
  if (core.closing)
    return;
  auto mline = mline_of(pad);
  gst::pad_probe::add_self_removing(
    pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
    on_rtp, self);
  auto branch = build_track_branch(GST_BIN(core.pipeline.get()), pad);
  bool recorded = branch.tee && core.record
                  && core.record->attach(branch.kind, mline, branch.tee.get());
  if (!branch.codec.empty())
    gst::pad_probe::add_self_removing(
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      on_first_buffer,
      std::make_shared<track_note>(track_note{self, branch.kind, branch.codec}));
  if (!feed_track_branch(pad, branch))
    spdlog::warn("ingest {} cannot link m-line {}", name_of(core), mline);
  spdlog::info("ingest {} track m-line={} kind={} codec={} recorded={}",
               name_of(core), mline, branch.kind,
               branch.codec.empty() ? "unsupported" : branch.codec, recorded);
}

// -- Property notifications: run on the webrtcbin thread (it emits them
//    after updating the state from libnice's events).
void on_ice_connection_state(GstElement* webrtc, GParamSpec*, gpointer data) {
  auto& core = gst::unbox<ingest_core>(data);
  GstWebRTCICEConnectionState raw{};
  g_object_get(webrtc, "ice-connection-state", &raw, nullptr);
  auto state = static_cast<ice_state>(raw);
  core.ice.store(static_cast<int>(state));
  spdlog::info("ingest {} ice {}", name_of(core), to_string(state));
  core.fire([&](ingest_events& ev) {
    if (ev.on_ice_state)
      ev.on_ice_state(state);
  });
}

void on_ice_gathering_state(GstElement* webrtc, GParamSpec*, gpointer data) {
  auto& core = gst::unbox<ingest_core>(data);
  GstWebRTCICEGatheringState state{};
  g_object_get(webrtc, "ice-gathering-state", &state, nullptr);
  if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    return;
  bool local_set = false;
  {
    std::lock_guard guard{core.state_mutex};
    local_set = core.local_set;
  }
  if (local_set)
    core.send_answer();
}

// -- on-bye-ssrc: runs on the RTCP receiving thread of rtpbin.
void on_bye_ssrc(GstElement*, guint, guint, gpointer data) {
  gst::unbox<ingest_core>(data).client_closed("rtcp-bye");
}

// -- DTLS transport state: runs on the DTLS/streaming thread that changed it.
void on_dtls_state(GObject* transport, GParamSpec*, gpointer data) {
  auto& core = gst::unbox<ingest_core>(data);
  GstWebRTCDTLSTransportState state{};
  g_object_get(transport, "state", &state, nullptr);
  bool connected = state == GST_WEBRTC_DTLS_TRANSPORT_STATE_CONNECTED;
  core.dtls_connected.store(connected);
  if (connected)
    core.dtls_ever_connected.store(true);
  else if (state == GST_WEBRTC_DTLS_TRANSPORT_STATE_CLOSED
           && core.dtls_ever_connected.load())
    core.client_closed("dtls-close");
}

GstElement* find_rtpbin(GstElement* webrtc) {
  // webrtcbin names its internal rtpbin "rtpbin" (1.22).
  return gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin");
}

template <class F>
void for_each_transceiver(GstElement* webrtc, F&& f) {
  GArray* raw = nullptr;
  g_signal_emit_by_name(webrtc, "get-transceivers", &raw);
  auto array = gst::take(raw); // its clear func drops the transceiver refs
  for (guint i = 0; array && i < array->len; ++i)
    f(g_array_index(array.get(), GstWebRTCRTPTransceiver*, i));
}

void watch_dtls(const core_ptr& core, GstElement* webrtc) {
  std::vector<GObject*> seen;
  std::lock_guard guard{core->branch_mutex};
  if (core->closing)
    return;
  for_each_transceiver(webrtc, [&](GstWebRTCRTPTransceiver* trans) {
    GObject* raw_receiver = nullptr;
    g_object_get(trans, "receiver", &raw_receiver, nullptr);
    auto receiver = gst::ref<GObject>::adopt(raw_receiver);
    if (!receiver)
      return;
    GObject* raw_transport = nullptr;
    g_object_get(receiver.get(), "transport", &raw_transport, nullptr);
    auto transport = gst::ref<GObject>::adopt(raw_transport);
    if (!transport
        || std::find(seen.begin(), seen.end(), transport.get()) != seen.end())
      return;
    seen.push_back(transport.get()); // bundled m-lines share one transport
    core->late_connections.push_back(gst::signal_connection::connect(
      transport.get(), "notify::state", G_CALLBACK(on_dtls_state), core));
  });
}

// -- Promise callbacks: run on the webrtcbin thread. The promise belongs to
//    webrtcbin here (see emit_with_promise): never unref it.
void on_local_set(GstPromise* promise, gpointer data) {
  auto& core = gst::unbox<pending_op>(data).core;
  std::string why;
  if (!promise_ok(promise, why))
    return core->fail_negotiation("set-local-description: " + why);
  auto webrtc = core->live_webrtc();
  if (!webrtc)
    return;
  watch_dtls(core, webrtc.get());
  {
    std::lock_guard guard{core->state_mutex};
    core->local_set = true;
  }
  GstWebRTCICEGatheringState state{};
  g_object_get(webrtc.get(), "ice-gathering-state", &state, nullptr);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    core->send_answer();
}

void on_answer_created(GstPromise* promise, gpointer data) {
  auto& core = gst::unbox<pending_op>(data).core;
  std::string why;
  if (!promise_ok(promise, why))
    return core->fail_negotiation("create-answer: " + why);
  GstWebRTCSessionDescription* raw_answer = nullptr;
  gst_structure_get(gst_promise_get_reply(promise), "answer",
                    GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &raw_answer, nullptr);
  auto answer = gst::take(raw_answer);
  if (!answer)
    return core->fail_negotiation("create-answer: no answer");
  auto text = gst::take(gst_sdp_message_as_text(answer->sdp));
  {
    std::lock_guard guard{core->state_mutex};
    core->local_ufrag = find_ice_ufrag(text.get());
  }
  auto webrtc = core->live_webrtc();
  if (!webrtc)
    return;
  emit_with_promise(webrtc.get(), "set-local-description", answer.get(),
                    on_local_set, core);
}

void on_remote_set(GstPromise* promise, gpointer data) {
  auto& core = gst::unbox<pending_op>(data).core;
  std::string why;
  if (!promise_ok(promise, why))
    return core->fail_negotiation("set-remote-description: " + why);
  auto webrtc = core->live_webrtc();
  if (!webrtc)
    return;
  // webrtcbin made sendrecv transceivers for the offer; we only receive.
  for_each_transceiver(webrtc.get(), [](GstWebRTCRTPTransceiver* trans) {
    g_object_set(trans, "direction",
                 GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, nullptr);
  });
  emit_with_promise(webrtc.get(), "create-answer", nullptr, on_answer_created,
                    core);
}

} // namespace

void ingest_core::fail_negotiation(const std::string& why) {
  if (answer_sent.exchange(true))
    return;
  spdlog::warn("ingest {} negotiation failed: {}", name_of(*this), why);
  fire([&](ingest_events& ev) {
    if (ev.on_answer)
      ev.on_answer(failure{ec::negotiation_failed, why});
  });
}

void ingest_core::send_answer() {
  auto webrtc_now = live_webrtc();
  if (!webrtc_now || answer_sent.exchange(true))
    return;
  auto text = local_description_text(webrtc_now.get());
  if (!settings.ice.announce_address.empty())
    text = announce_host_candidates(text, settings.ice.announce_address);
  spdlog::info("ingest {} answer ready", name_of(*this));
  fire([&](ingest_events& ev) {
    if (ev.on_answer)
      ev.on_answer(text);
  });
}

void ingest_core::client_closed(const char* how) {
  if (client_closed_sent.exchange(true))
    return;
  spdlog::info("ingest {} client closed the transport via {}", name_of(*this),
               how);
  fire([](ingest_events& ev) {
    if (ev.on_client_closed)
      ev.on_client_closed();
  });
}

std::string local_description_text(GstElement* webrtc) {
  GstWebRTCSessionDescription* raw = nullptr;
  g_object_get(webrtc, "local-description", &raw, nullptr);
  auto desc = gst::take(raw);
  if (!desc)
    return {};
  return gst::take(gst_sdp_message_as_text(desc->sdp)).get();
}

std::vector<gst::signal_connection>
connect_ingest_signals(const std::shared_ptr<ingest_core>& core) {
  std::vector<gst::signal_connection> out;
  auto* webrtc = core->webrtc.get();
  out.push_back(gst::signal_connection::connect(
    webrtc, "pad-added", G_CALLBACK(on_pad_added), core));
  out.push_back(gst::signal_connection::connect(
    webrtc, "notify::ice-connection-state",
    G_CALLBACK(on_ice_connection_state), core));
  out.push_back(gst::signal_connection::connect(
    webrtc, "notify::ice-gathering-state", G_CALLBACK(on_ice_gathering_state),
    core));
  if (auto rtpbin = gst::ref<GstElement>::adopt(find_rtpbin(webrtc)))
    out.push_back(gst::signal_connection::connect(
      rtpbin.get(), "on-bye-ssrc", G_CALLBACK(on_bye_ssrc), core));
  else
    spdlog::warn("ingest {}: no rtpbin inside webrtcbin, RTCP BYE not watched",
                 name_of(*core));
  return out;
}

gst::bus_sync_guard install_bus_handler(const std::shared_ptr<ingest_core>& core) {
  return gst::bus_sync_guard::install(core->pipeline.get(), on_bus_message,
                                      core);
}

void start_negotiation(const std::shared_ptr<ingest_core>& core,
                       gst::unique<GstSDPMessage> offer) {
  // The description takes the SDP message over.
  auto desc = gst::take(gst_webrtc_session_description_new(
    GST_WEBRTC_SDP_TYPE_OFFER, offer.release()));
  emit_with_promise(core->webrtc.get(), "set-remote-description", desc.get(),
                    on_remote_set, core);
}

} // namespace sluice::pipelines
