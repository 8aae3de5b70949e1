#include "pipelines/track_branch.hpp"

#include <vector>

#include <spdlog/spdlog.h>

#include "pipelines/gst/unique.hpp"

namespace sluice::pipelines {

namespace {

gst::ref<GstElement> make(const char* factory) {
  return gst::ref<GstElement>::adopt(gst_element_factory_make(factory, nullptr));
}

gst::unique<GstCaps> caps_of(GstPad* pad) {
  if (auto* caps = gst_pad_get_current_caps(pad))
    return gst::take(caps);
  return gst::take(gst_pad_query_caps(pad, nullptr));
}

// Returns the element chain for an RTP encoding name, empty if unsupported.
std::vector<gst::ref<GstElement>> chain_for(const std::string& encoding,
                                            std::string& codec) {
  std::vector<gst::ref<GstElement>> chain;
  if (encoding == "H264") {
    codec = "H264";
    chain.push_back(make("rtph264depay"));
    chain.push_back(make("h264parse"));
    // Matroska stores H.264 as avc (length-prefixed) access units.
    auto filter = make("capsfilter");
    auto caps = gst::take(gst_caps_from_string(
      "video/x-h264,stream-format=avc,alignment=au"));
    g_object_set(filter.get(), "caps", caps.get(), nullptr);
    chain.push_back(std::move(filter));
  } else if (encoding == "VP8") {
    codec = "VP8";
    chain.push_back(make("rtpvp8depay"));
  } else if (encoding == "VP9") {
    codec = "VP9";
    chain.push_back(make("rtpvp9depay"));
  } else if (encoding == "OPUS") {
    codec = "opus";
    chain.push_back(make("rtpopusdepay"));
    // Gives the mux complete caps (OpusHead) for the track header.
    chain.push_back(make("opusparse"));
  }
  return chain;
}

} // namespace

track_branch build_track_branch(GstBin* bin, GstPad* rtp_pad) {
  track_branch branch;
  auto caps = caps_of(rtp_pad);
  std::string encoding;
  if (caps && !gst_caps_is_empty(caps.get())) {
    auto* s = gst_caps_get_structure(caps.get(), 0);
    if (auto* media = gst_structure_get_string(s, "media"))
      branch.kind = media;
    if (auto* enc = gst_structure_get_string(s, "encoding-name"))
      encoding = enc;
  }
  auto chain = chain_for(encoding, branch.codec);
  bool complete = !chain.empty();
  for (auto& e : chain)
    complete = complete && e;
  if (!complete) {
    if (!chain.empty())
      spdlog::warn("ingest: missing element for {}, dropping track", encoding);
    chain.clear();
    branch.codec.clear();
    auto sink = make("fakesink");
    g_object_set(sink.get(), "async", FALSE, "sync", FALSE, nullptr);
    chain.push_back(std::move(sink));
  } else {
    branch.tee = make("tee");
    // Outputs attach and detach over time; a tee without them drops.
    g_object_set(branch.tee.get(), "allow-not-linked", TRUE, nullptr);
    chain.push_back(branch.tee);
  }
  for (auto& e : chain)
    gst_bin_add(bin, e.get());
  // Links skip caps checks: see record_output::attach.
  for (size_t i = 1; i < chain.size(); ++i)
    gst_element_link_pads_full(chain[i - 1].get(), "src", chain[i].get(),
                               "sink", GST_PAD_LINK_CHECK_HIERARCHY);
  // Downstream first, so nothing pushes into an element still in NULL.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    gst_element_sync_state_with_parent(it->get());
  branch.head = chain.front();
  return branch;
}

bool feed_track_branch(GstPad* rtp_pad, const track_branch& branch) {
  auto sink = gst::ref<GstPad>::adopt(
    gst_element_get_static_pad(branch.head.get(), "sink"));
  return gst_pad_link_full(rtp_pad, sink.get(), GST_PAD_LINK_CHECK_HIERARCHY)
         == GST_PAD_LINK_OK;
}

} // namespace sluice::pipelines
