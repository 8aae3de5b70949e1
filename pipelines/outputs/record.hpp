#pragma once

// The Matroska recording output: matroskamux (streamable, so the file stays
// readable after any abrupt end) ! filesink, with one mux pad per audio/video
// m-line requested before media flows, because matroskamux (collectpads)
// takes no new pads once muxing started.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "pipelines/gst/pad_probe.hpp"
#include "pipelines/gst/ref.hpp"
#include "pipelines/result.hpp"

namespace sluice::pipelines::outputs {

/// <root>/<stream_id>/<UTC start, e.g. 20261126T150102Z>-<session_id>.mkv
std::filesystem::path
recording_file(const std::filesystem::path& root, const std::string& stream_id,
               const std::string& session_id,
               std::chrono::system_clock::time_point start);

/// Threading: reserve() and finalize() run on the owner thread, attach() on
/// the streaming thread that fires webrtcbin's pad-added; an internal mutex
/// orders them.
class record_output {
public:
  /// Creates the directory of `file` and adds mux and file sink to
  /// `pipeline`; ec::internal if the directory or elements cannot be made.
  static result<std::unique_ptr<record_output>>
  create(GstBin* pipeline, std::filesystem::path file);

  ~record_output();
  record_output(const record_output&) = delete;
  record_output& operator=(const record_output&) = delete;

  /// Requests the mux pad for m-line `mline` of `kind` ("audio"/"video").
  bool reserve(unsigned mline, const std::string& kind);

  /// Links `tee` (the parsed track) through a queue to a free pad reserved
  /// for `kind`, preferring the one of `mline`. The m-line webrtcbin reports
  /// for a pad is not reliable when bundled tracks start at the same time,
  /// the kind from the RTP caps is. False if no pad is free or finalizing
  /// started.
  bool attach(const std::string& kind, unsigned mline, GstElement* tee);

  /// Sends EOS into every reserved pad (through its queue when attached, so
  /// queued data is written first) and waits up to `timeout` for EOS at the
  /// file sink. True if the file was finalized. Call once.
  bool finalize(std::chrono::milliseconds timeout);

  const std::filesystem::path& path() const noexcept { return file_; }

  /// Waits for the EOS at the file sink (shared with its pad probe).
  struct eos_wait {
    std::mutex mutex;
    std::condition_variable cv;
    bool eos = false;
  };

private:
  struct track {
    unsigned mline = 0;
    std::string kind;
    gst::ref<GstPad> mux_pad;
    gst::ref<GstPad> head; ///< The queue's sink pad once attached.
  };

  record_output(GstBin* pipeline, std::filesystem::path file);

  std::filesystem::path file_;
  gst::ref<GstBin> pipeline_;
  gst::ref<GstElement> mux_;
  gst::ref<GstElement> sink_;
  std::shared_ptr<eos_wait> eos_ = std::make_shared<eos_wait>();
  gst::pad_probe eos_probe_;
  mutable std::mutex mutex_;
  std::vector<track> tracks_;
  bool finalizing_ = false;
  bool attached_any_ = false;
};

} // namespace sluice::pipelines::outputs
