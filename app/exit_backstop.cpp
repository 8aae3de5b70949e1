#include "app/exit_backstop.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <spdlog/spdlog.h>

namespace sluice::app {

namespace {

// Threads CAF runs detached actors on (the pipelines) are named caf.actor.
int64_t threads_named(const std::string& name) {
  std::error_code err;
  int64_t n = 0;
  for (std::filesystem::directory_iterator i{"/proc/self/task", err}, end;
       !err && i != end; i.increment(err)) {
    std::ifstream comm{i->path() / "comm"};
    std::string line;
    if (std::getline(comm, line) && line == name)
      ++n;
  }
  return n;
}

} // namespace

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
                 threads_named("caf.actor"), limit.count());
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
