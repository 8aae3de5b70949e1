#pragma once

// gst::unique<T>: unique_ptr holders for GStreamer/GLib values that are not
// GObjects (SDP messages, structures, caps, promises, session descriptions,
// messages, arrays, GError, g_free'd strings).

#include <memory>

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include "pipelines/gst/webrtc.hpp"

namespace sluice::gst {

/// Frees T with the function GStreamer documents for it.
template <class T>
struct deleter;

template <>
struct deleter<GstSDPMessage> {
  void operator()(GstSDPMessage* p) const noexcept { gst_sdp_message_free(p); }
};
template <>
struct deleter<GstStructure> {
  void operator()(GstStructure* p) const noexcept { gst_structure_free(p); }
};
template <>
struct deleter<GstCaps> {
  void operator()(GstCaps* p) const noexcept { gst_caps_unref(p); }
};
template <>
struct deleter<GstPromise> {
  void operator()(GstPromise* p) const noexcept { gst_promise_unref(p); }
};
template <>
struct deleter<GstWebRTCSessionDescription> {
  void operator()(GstWebRTCSessionDescription* p) const noexcept {
    gst_webrtc_session_description_free(p);
  }
};
template <>
struct deleter<GstMessage> {
  void operator()(GstMessage* p) const noexcept { gst_message_unref(p); }
};
template <>
struct deleter<GArray> {
  void operator()(GArray* p) const noexcept { g_array_unref(p); }
};
template <>
struct deleter<GError> {
  void operator()(GError* p) const noexcept { g_error_free(p); }
};
template <>
struct deleter<gchar> {
  void operator()(gchar* p) const noexcept { g_free(p); }
};

/// Sole owner of a T, freed with deleter<T>.
template <class T>
using unique = std::unique_ptr<T, deleter<T>>;

/// Takes ownership of `ptr` (transfer full).
template <class T>
unique<T> take(T* ptr) noexcept {
  return unique<T>{ptr};
}

/// A string GLib allocated, freed with g_free.
using gstring = unique<gchar>;

} // namespace sluice::gst
