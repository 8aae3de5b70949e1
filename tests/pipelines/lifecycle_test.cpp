#include <thread>

#include <doctest/doctest.h>
#include <glib.h>

#include "tests/pipelines/harness.hpp"

using namespace sluice;
using namespace sluice::test;

namespace {

// One full publish: connect, wait for the first video buffer, close.
void one_cycle(int i) {
  tools::publisher_options pub;
  auto s = connect(pub, settings("cycle", "c" + std::to_string(i), true));
  REQUIRE_MESSAGE(s.error.empty(), s.error);
  REQUIRE(s.log->wait(5s, [&] { return s.log->has_track("video"); }));
  s.ingest->close();
  s.ingest.reset();
  s.publisher.reset();
}

} // namespace

TEST_CASE("20 create-connect-close cycles leave no threads or fds or ingests") {
  one_cycle(-1); // warm up: plugin loading, GLib/GStreamer global threads
  std::this_thread::sleep_for(500ms);
  auto threads0 = num_threads();
  auto fds0 = num_fds();
  for (int i = 0; i < 20; ++i)
    one_cycle(i);
  CHECK(pipelines::webrtc_ingest_live_count() == 0);
  // GLib's shared thread pool keeps up to max-unused (2 by default) idle
  // threads for a while, so allow that bounded slack after a settle wait.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline
         && (num_threads() > threads0 || num_fds() > fds0))
    std::this_thread::sleep_for(100ms);
  MESSAGE("threads " << threads0 << " -> " << num_threads() << ", fds " << fds0
                     << " -> " << num_fds() << ", unused pool threads "
                     << g_thread_pool_get_num_unused_threads());
  CHECK(num_threads() <= threads0 + 2);
  CHECK(num_fds() <= fds0);
}
