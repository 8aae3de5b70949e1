#include "pipelines/outputs/record.hpp"

#include <algorithm>
#include <ctime>

#include <spdlog/spdlog.h>

namespace sluice::pipelines::outputs {

namespace {

gst::ref<GstElement> make(const char* factory) {
  return gst::ref<GstElement>::adopt(gst_element_factory_make(factory, nullptr));
}

// Runs on the mux's streaming thread when an event reaches the file sink.
GstPadProbeReturn on_sink_event(GstPad*, GstPadProbeInfo* info, gpointer data) {
  if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS) {
    auto& wait = gst::unbox<record_output::eos_wait>(data);
    std::lock_guard guard{wait.mutex};
    wait.eos = true;
    wait.cv.notify_all();
  }
  return GST_PAD_PROBE_OK;
}

} // namespace

std::filesystem::path
recording_file(const std::filesystem::path& root, const std::string& stream_id,
               const std::string& session_id,
               std::chrono::system_clock::time_point start) {
  auto t = std::chrono::system_clock::to_time_t(start);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  return root / stream_id / (std::string{stamp} + "-" + session_id + ".mkv");
}

record_output::record_output(GstBin* pipeline, std::filesystem::path file)
  : file_(std::move(file)), pipeline_(gst::ref<GstBin>::share(pipeline)) {}

record_output::~record_output() = default;

result<std::unique_ptr<record_output>>
record_output::create(GstBin* pipeline, std::filesystem::path file) {
  std::error_code err;
  std::filesystem::create_directories(file.parent_path(), err);
  if (err)
    return failure{ec::internal, "cannot create " + file.parent_path().string()
                                   + ": " + err.message()};
  std::unique_ptr<record_output> self{new record_output(pipeline, file)};
  self->mux_ = make("matroskamux");
  self->sink_ = make("filesink");
  if (!self->mux_ || !self->sink_)
    return failure{ec::internal, "matroskamux or filesink is missing"};
  // streamable: no seek back to write cues/duration, so every byte written
  // is final. Short clusters and an unbuffered file sink bound what an
  // abrupt end (kill -9) can lose to about one second.
  g_object_set(self->mux_.get(), "streamable", TRUE, "offset-to-zero", TRUE,
               "max-cluster-duration", gint64{GST_SECOND}, nullptr);
  // async=false: a sink waiting for preroll would hold the live pipeline in
  // PAUSED; sync=false: writing needs no clock.
  g_object_set(self->sink_.get(), "location", file.c_str(), "async", FALSE,
               "sync", FALSE, nullptr);
  gst_util_set_object_arg(G_OBJECT(self->sink_.get()), "buffer-mode",
                          "unbuffered");
  gst_bin_add_many(pipeline, self->mux_.get(), self->sink_.get(), nullptr);
  if (!gst_element_link(self->mux_.get(), self->sink_.get()))
    return failure{ec::internal, "cannot link matroskamux to filesink"};
  auto sink_pad =
    gst::ref<GstPad>::adopt(gst_element_get_static_pad(self->sink_.get(), "sink"));
  self->eos_probe_ = gst::pad_probe::add(sink_pad.get(),
                                         GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                                         on_sink_event, self->eos_);
  return self;
}

bool record_output::reserve(unsigned mline, const std::string& kind) {
  std::lock_guard guard{mutex_};
  const char* templ = kind == "video" ? "video_%u" : "audio_%u";
  auto pad = gst::ref<GstPad>::adopt(
    gst_element_request_pad_simple(mux_.get(), templ));
  if (!pad)
    return false;
  tracks_.push_back({mline, kind, std::move(pad), {}});
  return true;
}

bool record_output::attach(const std::string& kind, unsigned mline,
                           GstElement* tee) {
  std::lock_guard guard{mutex_};
  if (finalizing_)
    return false;
  auto free = [&](const track& t) { return t.kind == kind && !t.head; };
  auto it = std::find_if(tracks_.begin(), tracks_.end(), [&](const track& t) {
    return free(t) && t.mline == mline;
  });
  if (it == tracks_.end())
    it = std::find_if(tracks_.begin(), tracks_.end(), free);
  if (it == tracks_.end())
    return false;
  auto queue = make("queue");
  // Bounded by time only; leaky so a stalled mux (waiting for a track that
  // is late) never blocks the network threads.
  g_object_set(queue.get(), "max-size-buffers", 0u, "max-size-bytes", 0u,
               "max-size-time", guint64{3 * GST_SECOND}, nullptr);
  gst_util_set_object_arg(G_OBJECT(queue.get()), "leaky", "downstream");
  gst_bin_add(pipeline_.get(), queue.get());
  auto src = gst::ref<GstPad>::adopt(gst_element_get_static_pad(queue.get(), "src"));
  // No caps check: a caps query racing with another track's start can
  // answer empty; the real caps are negotiated when data flows.
  constexpr auto flags = GST_PAD_LINK_CHECK_HIERARCHY;
  if (!gst_element_link_pads_full(tee, "src_%u", queue.get(), "sink", flags)
      || gst_pad_link_full(src.get(), it->mux_pad.get(), flags)
           != GST_PAD_LINK_OK) {
    spdlog::warn("record {}: cannot link the {} track", file_.string(), kind);
    return false;
  }
  gst_element_sync_state_with_parent(queue.get());
  it->head = gst::ref<GstPad>::adopt(gst_element_get_static_pad(queue.get(), "sink"));
  attached_any_ = true;
  return true;
}

bool record_output::finalize(std::chrono::milliseconds timeout) {
  std::vector<gst::ref<GstPad>> targets;
  {
    std::lock_guard guard{mutex_};
    if (finalizing_)
      return false;
    finalizing_ = true;
    if (!attached_any_)
      return false; // matroskamux has written nothing; nothing to finalize
    for (auto& t : tracks_)
      targets.push_back(t.head ? t.head : t.mux_pad);
  }
  // Serialized events: each waits for the push in flight on that pad.
  for (auto& pad : targets)
    gst_pad_send_event(pad.get(), gst_event_new_eos());
  std::unique_lock lock{eos_->mutex};
  return eos_->cv.wait_for(lock, timeout, [this] { return eos_->eos; });
}

} // namespace sluice::pipelines::outputs
