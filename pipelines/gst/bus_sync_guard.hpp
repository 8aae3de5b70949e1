#pragma once

// gst::bus_sync_guard: installs a bus sync handler and removes it on
// destruction or remove().

#include <memory>
#include <utility>

#include <gst/gst.h>

#include "pipelines/gst/ref.hpp"
#include "pipelines/gst/user_data.hpp"

namespace sluice::gst {

/// The sync handler runs on whatever thread posts the message (a streaming
/// thread, the webrtcbin thread, or the thread changing state). It must be
/// quick and must not change the pipeline state itself. A handler returning
/// GST_BUS_DROP owns the message and must unref it (gst::take(msg)).
class bus_sync_guard {
public:
  bus_sync_guard() noexcept = default;

  /// Installs `handler` on the pipeline's bus; `data` stays alive until the
  /// handler is replaced or removed.
  template <class C>
  static bus_sync_guard install(GstElement* pipeline, GstBusSyncHandler handler,
                                std::shared_ptr<C> data) {
    auto bus = ref<GstBus>::adopt(gst_element_get_bus(pipeline));
    gst_bus_set_sync_handler(bus.get(), handler, box(std::move(data)),
                             free_box<C>);
    return bus_sync_guard{std::move(bus)};
  }

  bus_sync_guard(bus_sync_guard&& other) noexcept
    : bus_(std::move(other.bus_)),
      installed_(std::exchange(other.installed_, false)) {}
  bus_sync_guard& operator=(bus_sync_guard&& other) noexcept {
    if (this != &other) {
      discard();
      bus_ = std::move(other.bus_);
      installed_ = std::exchange(other.installed_, false);
    }
    return *this;
  }
  bus_sync_guard(const bus_sync_guard&) = delete;
  bus_sync_guard& operator=(const bus_sync_guard&) = delete;
  ~bus_sync_guard() { discard(); }

  /// Removes the handler (frees its data); a no-op when already removed.
  /// Messages posted from now on queue up on the bus, see discard().
  void remove() noexcept {
    if (bus_ && installed_)
      gst_bus_set_sync_handler(bus_.get(), nullptr, nullptr, nullptr);
    installed_ = false;
  }

  /// Removes the handler and drops every queued and future message. Call it
  /// after the pipeline reached NULL: queued messages hold references to
  /// their sources, and the pipeline owns the bus, so they would keep the
  /// whole pipeline alive forever.
  void discard() noexcept {
    remove();
    if (bus_)
      gst_bus_set_flushing(bus_.get(), TRUE);
    bus_.reset();
  }

private:
  explicit bus_sync_guard(ref<GstBus> bus)
    : bus_(std::move(bus)), installed_(true) {}
  ref<GstBus> bus_;
  bool installed_ = false;
};

} // namespace sluice::gst
