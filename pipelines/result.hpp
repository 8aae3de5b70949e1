#pragma once

// A small value-or-error type for the CAF-free layers (pipelines/, signaling/).
// The actor layer converts it to caf::expected at the boundary.

#include <string>
#include <utility>
#include <variant>

#include "common/ec.hpp"

namespace sluice {

/// An error with a code from the single sluice enum and a human message.
struct failure {
  ec code = ec::internal;
  std::string message;
};

/// Either a T or a failure.
template <class T>
class result {
public:
  result(T value) : v_(std::move(value)) {}
  result(failure f) : v_(std::move(f)) {}

  explicit operator bool() const noexcept { return v_.index() == 0; }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  const failure& error() const { return std::get<1>(v_); }

private:
  std::variant<T, failure> v_;
};

} // namespace sluice
