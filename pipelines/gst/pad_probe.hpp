#pragma once

// gst::pad_probe: a pad probe removed on destruction or remove().

#include <memory>
#include <utility>

#include <gst/gst.h>

#include "pipelines/gst/ref.hpp"
#include "pipelines/gst/user_data.hpp"

namespace sluice::gst {

/// One installed probe. The callback runs on the streaming thread that
/// pushes through the pad. gst_pad_remove_probe does not wait for a callback
/// already running, which is why `data` is shared (see user_data.hpp).
class pad_probe {
public:
  pad_probe() noexcept = default;

  /// Adds `callback` for `mask` on `pad`.
  template <class C>
  static pad_probe add(GstPad* pad, GstPadProbeType mask,
                       GstPadProbeCallback callback, std::shared_ptr<C> data) {
    auto id = gst_pad_add_probe(pad, mask, callback, box(std::move(data)),
                                free_box<C>);
    return pad_probe{ref<GstPad>::share(pad), id};
  }

  pad_probe(pad_probe&& other) noexcept
    : pad_(std::move(other.pad_)), id_(std::exchange(other.id_, 0)) {}
  pad_probe& operator=(pad_probe&& other) noexcept {
    if (this != &other) {
      remove();
      pad_ = std::move(other.pad_);
      id_ = std::exchange(other.id_, 0);
    }
    return *this;
  }
  pad_probe(const pad_probe&) = delete;
  pad_probe& operator=(const pad_probe&) = delete;
  ~pad_probe() { remove(); }

  /// Removes the probe; a no-op when already removed. Never wrap a probe
  /// that returns GST_PAD_PROBE_REMOVE: removing it again makes GStreamer
  /// warn. Use add_self_removing() for those.
  void remove() noexcept {
    if (id_ != 0 && pad_)
      gst_pad_remove_probe(pad_.get(), id_);
    id_ = 0;
    pad_.reset();
  }

  /// Adds a probe that removes itself (returns GST_PAD_PROBE_REMOVE) or lives
  /// as long as the pad; nothing to guard.
  template <class C>
  static void add_self_removing(GstPad* pad, GstPadProbeType mask,
                                GstPadProbeCallback callback,
                                std::shared_ptr<C> data) {
    gst_pad_add_probe(pad, mask, callback, box(std::move(data)), free_box<C>);
  }

private:
  pad_probe(ref<GstPad> pad, gulong id) : pad_(std::move(pad)), id_(id) {}
  ref<GstPad> pad_;
  gulong id_ = 0;
};

} // namespace sluice::gst
