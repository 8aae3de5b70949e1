#pragma once

// gst_init for the whole process, exactly once. Header-only so that the
// publisher tool (which does not link sluice_pipelines) can share it.

#include <mutex>

#include <gst/gst.h>

namespace sluice::gst {

/// Initializes GStreamer once per process; safe to call from any thread and
/// any number of times.
inline void ensure_gst_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { gst_init(nullptr, nullptr); });
}

} // namespace sluice::gst
