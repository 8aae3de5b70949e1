#pragma once

// The backstop for the last step of a shutdown. ~actor_system waits for the
// thread of every detached actor, and such a thread ends only once nothing
// references its actor any more: one leaked actor reference would keep the
// process alive forever after "node stopped". Armed right before
// ~actor_system runs; if that has not returned within the limit, it logs the
// leak and ends the process with exit_backstop::exit_code (the sessions are
// all ended and their recordings final by then). Not a fix for a leak, only
// a bound on its damage, and loud enough for tests to see.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace sluice::app {

class exit_backstop {
public:
  /// EX_SOFTWARE: the node did its work but found a bug on the way out.
  static constexpr int exit_code = 70;

  exit_backstop() = default;
  exit_backstop(const exit_backstop&) = delete;
  exit_backstop& operator=(const exit_backstop&) = delete;
  ~exit_backstop() { disarm(); }

  /// Starts the countdown; a second call is a no-op.
  void arm(std::chrono::milliseconds limit);

  /// Stops the countdown (the destructor does this).
  void disarm();

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

} // namespace sluice::app
