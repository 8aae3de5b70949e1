#pragma once

// Test helpers: an event recorder for ingest_events and a one-call
// publisher -> ingest connection that passes SDP directly.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pipelines/webrtc_ingest.hpp"
#include "tools/publisher/webrtc_publisher.hpp"

namespace sluice::test {

using namespace std::chrono_literals;

/// Records every ingest event; waits on them with a deadline.
struct event_log {
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<result<std::string>> answer;
  std::vector<pipelines::ice_state> ice;
  std::vector<std::string> track_kinds;
  std::vector<std::string> codecs;
  std::vector<std::string> errors;
  int client_closed = 0;
  std::atomic<int> num_events{0};

  /// Events that write into this log (kept alive by the lambdas).
  static pipelines::ingest_events bind(const std::shared_ptr<event_log>& log);

  /// Waits until `pred()` (evaluated under the mutex) or the timeout.
  template <class Pred>
  bool wait(std::chrono::milliseconds timeout, Pred pred) {
    std::unique_lock lock{mutex};
    return cv.wait_for(lock, timeout, pred);
  }

  bool has_track(const std::string& kind);
  bool ice_connected();
};

/// A fresh directory for recordings, unique per process.
std::filesystem::path recordings_dir();

/// Settings for one ingest in tests.
pipelines::ingest_settings settings(const std::string& stream_id,
                                    const std::string& session_id,
                                    bool record = true);

/// One publisher connected to one ingest.
struct session {
  std::shared_ptr<event_log> log = std::make_shared<event_log>();
  std::unique_ptr<tools::webrtc_publisher> publisher;
  std::unique_ptr<pipelines::webrtc_ingest> ingest;
  std::string error; ///< What went wrong in connect(), empty if nothing.
  std::chrono::milliseconds negotiate_time{0};
};

/// Creates both ends and connects them: offer -> prepare_offer -> ingest
/// answer -> publisher. Waits for ICE connected on both ends.
session connect(tools::publisher_options pub, pipelines::ingest_settings ing);

/// Threads and open fds of this process.
int num_threads();
int num_fds();

} // namespace sluice::test
