#pragma once

// Live-object counters for the invariant "sessions == pipelines == health
// checks == directory entries". The counts come from RAII members of the
// actor states, so they fall only when a state is really destroyed, not when
// some bookkeeping map forgets an entry.

#include <atomic>
#include <cstdint>
#include <memory>

namespace sluice::telemetry {

struct resource_counts {
  std::atomic<int64_t> sessions{0};
  std::atomic<int64_t> pipelines{0};
  std::atomic<int64_t> health_checks{0};
  std::atomic<int64_t> directory_entries{0};
  /// Sessions that quit without their children after the close deadline.
  std::atomic<int64_t> frozen_sessions{0};
};

using resource_counts_ptr = std::shared_ptr<resource_counts>;

/// Adds one to a counter for as long as it lives. Put it in an actor state.
class counted {
public:
  explicit counted(std::atomic<int64_t>* counter) : counter_(counter) {
    if (counter_)
      counter_->fetch_add(1, std::memory_order_relaxed);
  }
  ~counted() {
    if (counter_)
      counter_->fetch_sub(1, std::memory_order_relaxed);
  }
  counted(const counted&) = delete;
  counted& operator=(const counted&) = delete;

private:
  std::atomic<int64_t>* counter_;
};

} // namespace sluice::telemetry
