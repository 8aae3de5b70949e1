#pragma once

// Callback user data that keeps a shared object alive for as long as GLib
// may call back: the closure or probe owns a heap-allocated shared_ptr and
// frees it through the matching destroy notify. This is what makes a late
// callback (racing with close()) safe: it still sees a live object and a
// "closed" flag, never freed memory.

#include <memory>

#include <glib-object.h>

namespace sluice::gst {

/// Boxes `ptr` for a `gpointer user_data` argument.
template <class C>
gpointer box(std::shared_ptr<C> ptr) {
  return new std::shared_ptr<C>(std::move(ptr));
}

/// The object a boxed user_data points to.
template <class C>
C& unbox(gpointer data) noexcept {
  return **static_cast<std::shared_ptr<C>*>(data);
}

/// The shared_ptr a boxed user_data holds (to pass on to further callbacks).
template <class C>
const std::shared_ptr<C>& unbox_shared(gpointer data) noexcept {
  return *static_cast<std::shared_ptr<C>*>(data);
}

/// GDestroyNotify for box<C>() (pad probes, promises).
template <class C>
void free_box(gpointer data) noexcept {
  delete static_cast<std::shared_ptr<C>*>(data);
}

/// GClosureNotify for box<C>() (signal handlers).
template <class C>
void free_box_closure(gpointer data, GClosure*) noexcept {
  delete static_cast<std::shared_ptr<C>*>(data);
}

} // namespace sluice::gst
