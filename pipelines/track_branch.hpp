#pragma once

// Per received track: depayloader and parser for its codec, ending in a tee
// that outputs (the recording, later HLS/restream) hang off.

#include <string>

#include <gst/gst.h>

#include "pipelines/gst/ref.hpp"

namespace sluice::pipelines {

/// A built (not yet fed) branch for one webrtcbin src pad.
struct track_branch {
  std::string kind;  ///< "audio", "video", or the caps' media for others
  std::string codec; ///< "H264", "VP8", "VP9", "opus"; empty if unsupported
  gst::ref<GstElement> head; ///< Where the RTP pad links to.
  gst::ref<GstElement> tee;  ///< Parsed media; null for unsupported codecs.
};

/// Reads kind and codec from the RTP caps of `rtp_pad`, adds the elements to
/// `bin` and brings them to the bin's state. Unsupported codecs get a
/// fakesink so the stream is drained (and still counted upstream).
track_branch build_track_branch(GstBin* bin, GstPad* rtp_pad);

/// Links `rtp_pad` to the branch head; call after outputs are attached so
/// the first (key) frame reaches them.
bool feed_track_branch(GstPad* rtp_pad, const track_branch& branch);

} // namespace sluice::pipelines
