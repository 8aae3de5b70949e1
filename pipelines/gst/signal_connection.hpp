#pragma once

// gst::signal_connection: a GObject signal handler that is disconnected when
// the connection is destroyed or disconnect() is called.

#include <memory>
#include <utility>

#include <glib-object.h>

#include "pipelines/gst/ref.hpp"
#include "pipelines/gst/user_data.hpp"

namespace sluice::gst {

/// One connected handler. Holds a reference to the instance so disconnecting
/// is always safe. Note: g_signal_handler_disconnect does not wait for an
/// emission already running on another thread; handlers must tolerate that
/// (see user_data.hpp).
class signal_connection {
public:
  signal_connection() noexcept = default;

  /// Connects `callback` to `signal` on `instance`; `data` stays alive until
  /// the handler is disconnected or the instance is finalized.
  template <class C>
  static signal_connection connect(gpointer instance, const char* signal,
                                   GCallback callback,
                                   std::shared_ptr<C> data) {
    auto id = g_signal_connect_data(instance, signal, callback,
                                    box(std::move(data)), free_box_closure<C>,
                                    GConnectFlags{});
    return signal_connection{G_OBJECT(instance), id};
  }

  signal_connection(signal_connection&& other) noexcept
    : instance_(std::move(other.instance_)),
      id_(std::exchange(other.id_, 0)) {}
  signal_connection& operator=(signal_connection&& other) noexcept {
    if (this != &other) {
      disconnect();
      instance_ = std::move(other.instance_);
      id_ = std::exchange(other.id_, 0);
    }
    return *this;
  }
  signal_connection(const signal_connection&) = delete;
  signal_connection& operator=(const signal_connection&) = delete;
  ~signal_connection() { disconnect(); }

  /// Disconnects now; a no-op when already disconnected.
  void disconnect() noexcept {
    if (id_ != 0 && instance_
        && g_signal_handler_is_connected(instance_.get(), id_))
      g_signal_handler_disconnect(instance_.get(), id_);
    id_ = 0;
    instance_.reset();
  }

  /// True while connected.
  bool connected() const noexcept { return id_ != 0; }

private:
  signal_connection(GObject* instance, gulong id)
    : instance_(ref<GObject>::share(instance)), id_(id) {}
  ref<GObject> instance_;
  gulong id_ = 0;
};

} // namespace sluice::gst
