#pragma once

// gst::ref<T>: owns one reference to a GObject (GstElement, GstPad, NiceAgent,
// ...). Business code never calls g_object_ref/unref or gst_object_unref.

#include <utility>

#include <glib-object.h>

namespace sluice::gst {

/// A counted reference to a GObject-derived T. Copying adds a reference,
/// destruction drops it.
template <class T>
class ref {
public:
  ref() noexcept = default;

  /// Takes over a reference the caller owns (transfer full). A floating
  /// reference (fresh GstElement, GstPad) is sunk, so it becomes ours.
  static ref adopt(T* ptr) noexcept {
    if (ptr != nullptr && g_object_is_floating(ptr))
      g_object_ref_sink(ptr);
    return ref{ptr};
  }

  /// Adds a reference to an object owned elsewhere (transfer none).
  static ref share(T* ptr) noexcept {
    if (ptr != nullptr)
      g_object_ref(ptr);
    return ref{ptr};
  }

  ref(const ref& other) noexcept : ptr_(other.ptr_) {
    if (ptr_ != nullptr)
      g_object_ref(ptr_);
  }
  ref(ref&& other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
  ref& operator=(ref other) noexcept {
    std::swap(ptr_, other.ptr_);
    return *this;
  }
  ~ref() { reset(); }

  /// Drops the reference now.
  void reset() noexcept {
    if (auto* p = std::exchange(ptr_, nullptr))
      g_object_unref(p);
  }

  /// The object, still owned by this ref.
  T* get() const noexcept { return ptr_; }
  T* operator->() const noexcept { return ptr_; }
  explicit operator bool() const noexcept { return ptr_ != nullptr; }

  /// The object as another GObject type (caller knows it is one).
  template <class U>
  U* as() const noexcept {
    return reinterpret_cast<U*>(ptr_);
  }

private:
  explicit ref(T* ptr) noexcept : ptr_(ptr) {}
  T* ptr_ = nullptr;
};

} // namespace sluice::gst
