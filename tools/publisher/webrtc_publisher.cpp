#include "tools/publisher/webrtc_publisher.hpp"

#include <condition_variable>
#include <mutex>
#include <sstream>

#include "pipelines/gst/webrtc.hpp"
#include <nice/agent.h>
#include <spdlog/spdlog.h>

#include "pipelines/gst/bus_sync_guard.hpp"
#include "pipelines/gst/init.hpp"
#include "pipelines/gst/ref.hpp"
#include "pipelines/gst/signal_connection.hpp"
#include "pipelines/gst/unique.hpp"

namespace sluice::tools {

namespace {

using namespace std::chrono_literals;

// Shared with every callback (they hold a shared_ptr through their closure),
// guarded by `mutex`; `cv` wakes the blocking calls.
struct pub_state {
  std::mutex mutex;
  std::condition_variable cv;
  bool closed = false;
  gst::ref<GstElement> webrtc;
  bool wait_for_gathering = true;
  bool offer_done = false;
  bool offer_ok = false;
  bool local_set = false;
  std::string offer_text;
  std::vector<std::string> mids;
  bool answer_done = false;
  bool answer_ok = false;
  std::vector<local_candidate> new_candidates;
  GstWebRTCICEConnectionState ice = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;
  GstWebRTCICEGatheringState gathering = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
};
using state_ptr = std::shared_ptr<pub_state>;

std::string video_chain(const publisher_options& o) {
  std::ostringstream s;
  s << "videotestsrc is-live=true pattern=ball ! video/x-raw,width=" << o.width
    << ",height=" << o.height << ",framerate=" << o.fps
    << "/1 ! videoconvert ! ";
  if (o.video_codec == "VP8")
    s << "vp8enc deadline=1 cpu-used=8 keyframe-max-dist=30 ! rtpvp8pay pt=96"
         " ! application/x-rtp,media=video,encoding-name=VP8,payload=96";
  else if (o.video_codec == "VP9")
    s << "vp9enc deadline=1 cpu-used=8 keyframe-max-dist=30 ! rtpvp9pay pt=98"
         " ! application/x-rtp,media=video,encoding-name=VP9,payload=98";
  else if (o.video_codec == "H264")
    s << "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30"
         " ! video/x-h264,profile=constrained-baseline"
         " ! rtph264pay pt=102 config-interval=-1 aggregate-mode=zero-latency"
         " ! application/x-rtp,media=video,encoding-name=H264,payload=102";
  else
    return {};
  s << " ! webrtc. ";
  return s.str();
}

std::string pipeline_description(const publisher_options& o) {
  std::string d = "webrtcbin name=webrtc bundle-policy=max-bundle ";
  d += video_chain(o);
  if (o.audio)
    d += "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample"
         " ! opusenc ! rtpopuspay pt=111"
         " ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111"
         " ! webrtc. ";
  return d;
}

std::string sdp_value(const std::string& sdp, const std::string& key) {
  std::istringstream in{sdp};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.rfind(key, 0) == 0)
      return line.substr(key.size());
  }
  return {};
}

std::vector<std::string> sdp_mids(const std::string& sdp) {
  std::vector<std::string> mids;
  std::istringstream in{sdp};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.rfind("m=", 0) == 0)
      mids.emplace_back();
    else if (line.rfind("a=mid:", 0) == 0 && !mids.empty())
      mids.back() = line.substr(6);
  }
  return mids;
}

std::string description_text(GstElement* webrtc, const char* property) {
  GstWebRTCSessionDescription* raw = nullptr;
  g_object_get(webrtc, property, &raw, nullptr);
  auto desc = gst::take(raw);
  return desc ? std::string{gst::take(gst_sdp_message_as_text(desc->sdp)).get()}
              : std::string{};
}

GstPromise* promise_for(GstPromiseChangeFunc f, const state_ptr& st) {
  return gst_promise_new_with_change_func(f, gst::box(st), gst::free_box<pub_state>);
}

bool replied_ok(GstPromise* p) {
  auto* reply = gst_promise_get_reply(p);
  return gst_promise_wait(p) == GST_PROMISE_RESULT_REPLIED
         && (reply == nullptr || !gst_structure_has_field(reply, "error"));
}

// -- Promise callbacks: run on the webrtcbin thread.
void on_answer_set(GstPromise* raw, gpointer data) {
  auto promise = gst::take(raw);
  auto& st = gst::unbox<pub_state>(data);
  std::lock_guard guard{st.mutex};
  st.answer_done = true;
  st.answer_ok = replied_ok(promise.get());
  st.cv.notify_all();
}

void on_offer_set(GstPromise* raw, gpointer data) {
  auto promise = gst::take(raw);
  auto& st = gst::unbox<pub_state>(data);
  std::lock_guard guard{st.mutex};
  st.local_set = replied_ok(promise.get());
  if (!st.local_set || !st.wait_for_gathering) {
    st.offer_done = true;
    st.offer_ok = st.local_set;
  }
  st.cv.notify_all();
}

void on_offer_created(GstPromise* raw, gpointer data) {
  auto promise = gst::take(raw);
  auto& self = gst::unbox_shared<pub_state>(data);
  GstWebRTCSessionDescription* raw_offer = nullptr;
  if (replied_ok(promise.get()))
    gst_structure_get(gst_promise_get_reply(promise.get()), "offer",
                      GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &raw_offer, nullptr);
  auto offer = gst::take(raw_offer);
  std::unique_lock lock{self->mutex};
  if (!offer || self->closed) {
    self->offer_done = true;
    self->cv.notify_all();
    return;
  }
  self->offer_text = gst::take(gst_sdp_message_as_text(offer->sdp)).get();
  self->mids = sdp_mids(self->offer_text);
  auto webrtc = self->webrtc;
  lock.unlock();
  g_signal_emit_by_name(webrtc.get(), "set-local-description", offer.get(),
                        promise_for(on_offer_set, self));
}

// -- Signals: run on the webrtcbin thread.
void on_ice_candidate(GstElement*, guint mline, gchar* candidate, gpointer data) {
  auto& st = gst::unbox<pub_state>(data);
  std::lock_guard guard{st.mutex};
  std::string line = candidate;
  if (line.rfind("a=", 0) == 0)
    line.erase(0, 2);
  std::string mid = mline < st.mids.size() ? st.mids[mline] : "";
  st.new_candidates.push_back({mid, mline, line});
}

void on_ice_state(GstElement* webrtc, GParamSpec*, gpointer data) {
  auto& st = gst::unbox<pub_state>(data);
  GstWebRTCICEConnectionState s{};
  g_object_get(webrtc, "ice-connection-state", &s, nullptr);
  std::lock_guard guard{st.mutex};
  st.ice = s;
  st.cv.notify_all();
}

void on_gathering_state(GstElement* webrtc, GParamSpec*, gpointer data) {
  auto& st = gst::unbox<pub_state>(data);
  GstWebRTCICEGatheringState s{};
  g_object_get(webrtc, "ice-gathering-state", &s, nullptr);
  std::lock_guard guard{st.mutex};
  st.gathering = s;
  st.cv.notify_all();
}

// -- Bus: runs on the posting thread; logs errors, drops everything.
GstBusSyncReply on_bus(GstBus*, GstMessage* msg, gpointer) {
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* raw = nullptr;
    gst_message_parse_error(msg, &raw, nullptr);
    auto err = gst::take(raw);
    spdlog::error("publisher: {}: {}", GST_MESSAGE_SRC_NAME(msg),
                  err ? err->message : "error");
  }
  gst::take(msg); // DROP hands the message to the handler
  return GST_BUS_DROP;
}

void configure_ice(GstElement* webrtc, const std::string& bind_address) {
  GObject* raw_ice = nullptr;
  g_object_get(webrtc, "ice-agent", &raw_ice, nullptr);
  auto ice = gst::ref<GObject>::adopt(raw_ice);
  g_object_set(ice.get(), "ice-tcp", FALSE, nullptr);
  NiceAgent* raw_agent = nullptr;
  g_object_get(ice.get(), "agent", &raw_agent, nullptr);
  auto agent = gst::ref<NiceAgent>::adopt(raw_agent);
  g_object_set(agent.get(), "upnp", FALSE, nullptr);
  NiceAddress addr;
  nice_address_init(&addr);
  if (nice_address_set_from_string(&addr, bind_address.c_str()))
    nice_agent_add_local_address(agent.get(), &addr);
  else
    spdlog::error("publisher: bind address {} is not an IP", bind_address);
}

const char* ice_name(GstWebRTCICEConnectionState s) {
  switch (s) {
    case GST_WEBRTC_ICE_CONNECTION_STATE_NEW: return "new";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CHECKING: return "checking";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED: return "connected";
    case GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED: return "completed";
    case GST_WEBRTC_ICE_CONNECTION_STATE_FAILED: return "failed";
    case GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED: return "disconnected";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED: return "closed";
  }
  return "unknown";
}

} // namespace

struct webrtc_publisher::impl {
  publisher_options opts;
  state_ptr st = std::make_shared<pub_state>();
  gst::ref<GstElement> pipeline;
  std::vector<gst::signal_connection> connections;
  gst::bus_sync_guard bus;
};

webrtc_publisher::webrtc_publisher(publisher_options opts)
  : impl_(std::make_unique<impl>()) {
  gst::ensure_gst_initialized();
  impl_->opts = std::move(opts);
  auto& st = *impl_->st;
  st.wait_for_gathering = impl_->opts.wait_for_gathering;
  GError* raw_err = nullptr;
  impl_->pipeline = gst::ref<GstElement>::adopt(
    gst_parse_launch(pipeline_description(impl_->opts).c_str(), &raw_err));
  auto err = gst::take(raw_err);
  if (!impl_->pipeline || err) {
    spdlog::error("publisher: bad pipeline: {}", err ? err->message : "?");
    impl_->pipeline.reset();
    return;
  }
  st.webrtc = gst::ref<GstElement>::adopt(
    gst_bin_get_by_name(GST_BIN(impl_->pipeline.get()), "webrtc"));
  configure_ice(st.webrtc.get(), impl_->opts.bind_address);
  GArray* raw = nullptr;
  g_signal_emit_by_name(st.webrtc.get(), "get-transceivers", &raw);
  auto transceivers = gst::take(raw);
  for (guint i = 0; transceivers && i < transceivers->len; ++i)
    g_object_set(g_array_index(transceivers.get(), GstWebRTCRTPTransceiver*, i),
                 "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                 nullptr);
  auto* w = st.webrtc.get();
  auto& c = impl_->connections;
  c.push_back(gst::signal_connection::connect(
    w, "on-ice-candidate", G_CALLBACK(on_ice_candidate), impl_->st));
  c.push_back(gst::signal_connection::connect(
    w, "notify::ice-connection-state", G_CALLBACK(on_ice_state), impl_->st));
  c.push_back(gst::signal_connection::connect(
    w, "notify::ice-gathering-state", G_CALLBACK(on_gathering_state), impl_->st));
  impl_->bus =
    gst::bus_sync_guard::install(impl_->pipeline.get(), on_bus, impl_->st);
  gst_element_set_state(impl_->pipeline.get(), GST_STATE_PLAYING);
}

webrtc_publisher::~webrtc_publisher() {
  {
    std::lock_guard guard{impl_->st->mutex};
    impl_->st->closed = true;
  }
  impl_->connections.clear();
  impl_->bus.remove();
  if (impl_->pipeline)
    gst_element_set_state(impl_->pipeline.get(), GST_STATE_NULL);
  impl_->bus.discard(); // queued messages would keep the pipeline alive
  std::lock_guard guard{impl_->st->mutex};
  impl_->st->webrtc.reset(); // breaks the state <-> closure cycle
}

std::optional<std::string>
webrtc_publisher::create_offer(std::chrono::milliseconds timeout) {
  auto& st = *impl_->st;
  if (!impl_->pipeline)
    return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  g_signal_emit_by_name(st.webrtc.get(), "create-offer", nullptr,
                        promise_for(on_offer_created, impl_->st));
  std::unique_lock lock{st.mutex};
  if (!st.cv.wait_until(lock, deadline, [&] {
        return st.offer_done
               || (st.local_set
                   && st.gathering == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE);
      }))
    return std::nullopt;
  if (st.offer_done)
    return st.offer_ok ? std::optional{st.offer_text} : std::nullopt;
  lock.unlock();
  // Gathered: the local description now carries the candidates.
  auto text = description_text(st.webrtc.get(), "local-description");
  lock.lock();
  st.offer_text = text;
  st.offer_done = st.offer_ok = true;
  st.new_candidates.clear(); // they are in the offer already
  return text;
}

bool webrtc_publisher::set_answer(const std::string& sdp) {
  auto& st = *impl_->st;
  GstSDPMessage* raw = nullptr;
  if (!impl_->pipeline
      || gst_sdp_message_new_from_text(sdp.c_str(), &raw) != GST_SDP_OK)
    return false;
  auto answer = gst::take(
    gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, raw));
  g_signal_emit_by_name(st.webrtc.get(), "set-remote-description",
                        answer.get(), promise_for(on_answer_set, impl_->st));
  std::unique_lock lock{st.mutex};
  st.cv.wait_for(lock, 5s, [&] { return st.answer_done; });
  return st.answer_done && st.answer_ok;
}

std::vector<local_candidate> webrtc_publisher::take_new_candidates() {
  std::lock_guard guard{impl_->st->mutex};
  return std::exchange(impl_->st->new_candidates, {});
}

std::string webrtc_publisher::ice_ufrag() const {
  std::lock_guard guard{impl_->st->mutex};
  return sdp_value(impl_->st->offer_text, "a=ice-ufrag:");
}

std::string webrtc_publisher::ice_pwd() const {
  std::lock_guard guard{impl_->st->mutex};
  return sdp_value(impl_->st->offer_text, "a=ice-pwd:");
}

bool webrtc_publisher::wait_connected(std::chrono::milliseconds timeout) {
  auto& st = *impl_->st;
  std::unique_lock lock{st.mutex};
  return st.cv.wait_for(lock, timeout, [&] {
    return st.ice == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED
           || st.ice == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED;
  });
}

bool webrtc_publisher::wait_gathering_complete(std::chrono::milliseconds timeout) {
  auto& st = *impl_->st;
  std::unique_lock lock{st.mutex};
  return st.cv.wait_for(lock, timeout, [&] {
    return st.gathering == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
  });
}

std::string webrtc_publisher::ice_state() const {
  std::lock_guard guard{impl_->st->mutex};
  return ice_name(impl_->st->ice);
}

} // namespace sluice::tools
