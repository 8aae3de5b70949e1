#include "pipelines/webrtc_ingest.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "pipelines/gst/init.hpp"
#include "pipelines/ice_config.hpp"
#include "pipelines/ingest_core.hpp"

namespace sluice::pipelines {

namespace {

// Counts ingest cores, not facades: a core outlives close() only while a
// GStreamer closure still holds it, which is exactly the leak to detect.
std::atomic<int64_t> num_live_cores{0};

struct counted_core : ingest_core {
  counted_core() { num_live_cores.fetch_add(1); }
  ~counted_core() { num_live_cores.fetch_sub(1); }
};

std::string name_of(const ingest_settings& s) {
  return s.stream_id + "/" + s.session_id;
}

using clock = std::chrono::steady_clock;

// How long close() waits for negotiation ops on webrtcbin's thread; they
// take milliseconds.
constexpr std::chrono::milliseconds ops_drain_timeout{2000};

long long ms_since(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t)
    .count();
}

} // namespace

int64_t webrtc_ingest_live_count() noexcept {
  return num_live_cores.load();
}

const char* to_string(ice_state s) noexcept {
  // The W3C RTCIceConnectionState names.
  switch (s) {
    case ice_state::fresh: return "new";
    case ice_state::checking: return "checking";
    case ice_state::connected: return "connected";
    case ice_state::completed: return "completed";
    case ice_state::failed: return "failed";
    case ice_state::disconnected: return "disconnected";
    case ice_state::closed: return "closed";
  }
  return "unknown";
}

struct webrtc_ingest::impl {
  std::shared_ptr<ingest_core> core;
  /// Owner-made connections; disconnected first in close().
  std::vector<gst::signal_connection> connections;
  gst::bus_sync_guard bus;
  bool closed = false;
};

webrtc_ingest::webrtc_ingest(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

webrtc_ingest::~webrtc_ingest() {
  close();
}

result<std::unique_ptr<webrtc_ingest>>
webrtc_ingest::create(ingest_settings settings, ingest_events events) {
  gst::ensure_gst_initialized();
  auto p = std::make_unique<impl>();
  p->core = std::make_shared<counted_core>();
  auto& core = *p->core;
  core.settings = std::move(settings);
  core.events = std::move(events);
  std::unique_ptr<webrtc_ingest> self{new webrtc_ingest(std::move(p))};
  auto started = clock::now();
  core.pipeline = gst::ref<GstElement>::adopt(gst_pipeline_new(nullptr));
  core.webrtc =
    gst::ref<GstElement>::adopt(gst_element_factory_make("webrtcbin", nullptr));
  if (!core.webrtc)
    return failure{ec::internal, "webrtcbin is missing"};
  gst_util_set_object_arg(G_OBJECT(core.webrtc.get()), "bundle-policy",
                          "max-bundle");
  if (auto ok = configure_ice(core.webrtc.get(), core.settings.ice); !ok)
    return ok.error();
  gst_bin_add(GST_BIN(core.pipeline.get()), core.webrtc.get());
  if (core.settings.record) {
    auto file = std::filesystem::absolute(outputs::recording_file(
      core.settings.recordings_root, core.settings.stream_id,
      core.settings.session_id, std::chrono::system_clock::now()));
    auto rec = outputs::record_output::create(GST_BIN(core.pipeline.get()), file);
    if (!rec)
      return rec.error();
    core.record = std::move(*rec);
  }
  self->impl_->connections = connect_ingest_signals(self->impl_->core);
  self->impl_->bus = install_bus_handler(self->impl_->core);
  if (gst_element_set_state(core.pipeline.get(), GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE)
    return failure{ec::internal, "the ingest pipeline does not start"};
  spdlog::info("ingest {} created record={} in {}ms", name_of(core.settings),
               core.record ? core.record->path().string() : "off",
               ms_since(started));
  return self;
}

void webrtc_ingest::negotiate(const std::string& prepared_offer) {
  if (impl_->closed)
    return;
  auto& core = *impl_->core;
  auto summary = summarize_offer(prepared_offer);
  GstSDPMessage* raw = nullptr;
  if (!summary
      || gst_sdp_message_new_from_text(prepared_offer.c_str(), &raw) != GST_SDP_OK)
    return core.fail_negotiation("the prepared offer does not parse");
  auto offer = gst::take(raw);
  {
    std::lock_guard guard{core.state_mutex};
    if (!core.offer.mlines.empty())
      return; // negotiate() runs once per ingest; renegotiation is unsupported
    core.offer = *summary;
  }
  // matroskamux takes no new pads once it muxes: reserve them all now.
  if (core.record)
    for (unsigned i = 0; i < summary->mlines.size(); ++i) {
      auto& m = summary->mlines[i];
      if (!m.rejected && (m.kind == "audio" || m.kind == "video"))
        core.record->reserve(i, m.kind);
    }
  spdlog::info("ingest {} negotiating {} m-lines", name_of(core.settings),
               summary->mlines.size());
  start_negotiation(impl_->core, std::move(offer));
}

std::optional<std::string> webrtc_ingest::local_description() const {
  auto webrtc = impl_->core->live_webrtc();
  if (!webrtc)
    return std::nullopt;
  auto text = local_description_text(webrtc.get());
  if (text.empty())
    return std::nullopt;
  auto& announce = impl_->core->settings.ice.announce_address;
  return announce.empty() ? text : announce_host_candidates(text, announce);
}

std::string webrtc_ingest::local_ufrag() const {
  std::lock_guard guard{impl_->core->state_mutex};
  return impl_->core->local_ufrag;
}

std::string webrtc_ingest::remote_ufrag() const {
  std::lock_guard guard{impl_->core->state_mutex};
  return impl_->core->offer.ice_ufrag;
}

result<bool> webrtc_ingest::add_remote_candidates(const sdpfrag& frag) {
  auto webrtc = impl_->core->live_webrtc();
  if (!webrtc)
    return failure{ec::unknown_session, "the ingest is closed"};
  offer_summary offer;
  {
    std::lock_guard guard{impl_->core->state_mutex};
    offer = impl_->core->offer;
  }
  if (offer.mlines.empty())
    return failure{ec::bad_request, "no offer was negotiated yet"};
  if (!frag.ice_ufrag.empty() && frag.ice_ufrag != offer.ice_ufrag)
    return failure{ec::ice_restart_unsupported,
                   "ice-ufrag changed: ICE restart is not supported"};
  // With max-bundle we answer with one transport, that of the first accepted
  // m-line; candidates of any known mid belong to it.
  std::optional<unsigned> bundle_mline;
  for (unsigned i = 0; i < offer.mlines.size() && !bundle_mline; ++i)
    if (!offer.mlines[i].rejected)
      bundle_mline = i;
  for (auto& c : frag.candidates) {
    auto known = std::any_of(offer.mlines.begin(), offer.mlines.end(),
                             [&](auto& m) { return m.mid == c.mid; });
    if (!known)
      return failure{ec::bad_request, "unknown mid '" + c.mid + "'"};
  }
  if (!bundle_mline)
    return failure{ec::bad_request, "the offer has no accepted m-line"};
  for (auto& c : frag.candidates)
    g_signal_emit_by_name(webrtc.get(), "add-ice-candidate", *bundle_mline,
                          c.line.c_str());
  // a=end-of-candidates needs add-ice-candidate-full (1.24); in 1.22 libnice
  // simply keeps checking the pairs it has.
  return true;
}

ingest_stats webrtc_ingest::stats() const {
  auto& core = *impl_->core;
  ingest_stats s;
  s.rtp_packets = core.rtp_packets.load(std::memory_order_relaxed);
  s.rtp_bytes = core.rtp_bytes.load(std::memory_order_relaxed);
  if (auto last = core.last_media_ns.load(); last >= 0) {
    auto now = clock::now().time_since_epoch();
    s.since_last_media = std::chrono::duration_cast<std::chrono::milliseconds>(
      now - std::chrono::nanoseconds{last});
  }
  s.ice = static_cast<ice_state>(core.ice.load());
  s.dtls_connected = core.dtls_connected.load();
  return s;
}

std::filesystem::path webrtc_ingest::recording_path() const {
  auto& core = *impl_->core;
  return core.settings.record && core.record ? core.record->path()
                                             : std::filesystem::path{};
}

void webrtc_ingest::close() {
  if (!impl_ || impl_->closed)
    return;
  impl_->closed = true;
  auto started = clock::now();
  auto& core = *impl_->core;
  // 0. Gate the events: waits for one in flight, blocks all later ones.
  {
    std::lock_guard guard{core.events_mutex};
    core.closed = true;
    // Release what the callbacks captured (actor handles) here, on the
    // owner thread, not whenever GStreamer drops the last closure.
    core.events = {};
  }
  // 1. Disconnect signals, including those made from GStreamer threads.
  std::vector<gst::signal_connection> late;
  {
    std::lock_guard guard{core.branch_mutex};
    core.closing = true;
    late = std::move(core.late_connections);
  }
  late.clear();
  impl_->connections.clear();
  // 2. Remove the bus handler.
  impl_->bus.remove();
  // 3. Finalize the recording (bounded): EOS into the mux, wait at the sink.
  bool finalized = false;
  if (core.record)
    finalized = core.record->finalize(core.settings.finalize_timeout);
  auto finalize_ms = ms_since(started);
  // 4. Let webrtcbin's own thread finish the negotiation ops we queued (none
  //    chains a new one since step 0), then stop everything. Going to NULL
  //    while set-*-description still runs there orphans the transport bin
  //    it creates: its nicesrc stays PLAYING and leaks a thread and sockets.
  //    Bounded: a stuck webrtcbin must not stall the close.
  if (!core.wait_ops_idle(ops_drain_timeout))
    spdlog::warn("ingest {} negotiation still running {}ms into close; "
                 "stopping anyway",
                 name_of(core.settings), ops_drain_timeout.count());
  // Streaming threads are joined here.
  gst_element_set_state(core.pipeline.get(), GST_STATE_NULL);
  // 5. Drop refs; this also breaks the core <-> pad probe cycle. Messages
  //    queued since step 2 hold refs to their sources: discard them.
  impl_->bus.discard();
  std::filesystem::path file;
  if (core.record)
    file = core.record->path();
  core.record.reset();
  core.webrtc.reset();
  core.pipeline.reset();
  std::error_code err;
  if (!file.empty() && std::filesystem::exists(file, err)
      && std::filesystem::file_size(file, err) == 0)
    std::filesystem::remove(file, err); // no media ever arrived
  spdlog::info("ingest {} closed finalized={} finalize={}ms total={}ms",
               name_of(core.settings), finalized, finalize_ms,
               ms_since(started));
}

} // namespace sluice::pipelines
