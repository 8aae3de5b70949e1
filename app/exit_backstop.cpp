#include "app/exit_backstop.hpp"

#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "telemetry/process_stats.hpp"

namespace sluice::app {

void exit_backstop::arm(std::chrono::milliseconds limit) {
  if (thread_.joinable())
    return;
  thread_ = std::thread{[this, limit] {
    std::unique_lock lock{mutex_};
    if (cv_.wait_for(lock, limit, [this] { return done_; }))
      return;
    spdlog::warn("shutdown: {} detached actor threads (caf.actor) still "
                 "alive {}ms after all sessions ended: leaked actor "
                 "references",
                 telemetry::process_threads_named("caf.actor"), limit.count());
    spdlog::error("node exits without waiting for detached actors");
    spdlog::default_logger()->flush();
    std::fflush(stdout);
    std::_Exit(exit_code);
  }};
}

void exit_backstop::disarm() {
  {
    std::lock_guard guard{mutex_};
    done_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

} // namespace sluice::app
