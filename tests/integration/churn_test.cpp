// Many abrupt publishers of one stream id in a row: each is SIGKILLed once
// the node has it live, the next takes over, the last one vanishes. At the
// end nothing may be left, and threads and fds must be back to where they
// were.

#include <csignal>

#include "tests/integration/support.hpp"

namespace sluice::it {

TEST_CASE("50 abrupt publish cycles with takeover: no leaks") {
  constexpr int cycles = 50;
  // Long enough that no killed publisher times out before the next one takes
  // over (a cycle takes about a second), so the end reasons are exact.
  auto node = start_node({{"session.media_timeout", "5s"}});
  auto started = std::chrono::steady_clock::now();
  auto baseline = settled_load(node);

  // Warm-up: one clean session creates the lazily started pools; the load
  // after it is what 50 more sessions must not exceed.
  {
    auto pub = start_publisher(node, "warmup", {});
    REQUIRE(pub->wait_event("connected", 15s));
    REQUIRE(wait_live(node, "warmup").is_object());
    pub->process().signal(SIGTERM);
    REQUIRE(pub->wait_event("ended", 10s));
    REQUIRE(wait_until([&] { return idle(node.resources()); }, 5s));
  }
  auto warm = settled_load(node);
  MESSAGE("baseline threads=" << baseline.threads << " fds=" << baseline.fds
                              << "; after warm-up threads=" << warm.threads
                              << " fds=" << warm.fds);

  publish_args args;
  args.end = "vanish";
  std::string previous_session;
  long max_directory_entries = 0;
  for (int i = 0; i < cycles; ++i) {
    CAPTURE(i);
    auto pub = start_publisher(node, "churn", args);
    REQUIRE(pub->wait_event("connected", 15s));
    auto live = wait_live(node, "churn", 10s, previous_session);
    REQUIRE_MESSAGE(live.is_object(), node.resources().dump());
    previous_session = live.value("session_id", "");
    max_directory_entries = std::max(
      max_directory_entries, count(node.resources(), "directory_entries"));
    pub->process().kill9();
  }
  auto killed_last = std::chrono::steady_clock::now();
  REQUIRE(wait_until([&] { return idle(node.resources()); }, 10s));
  MESSAGE("last session released " << fixtures::seconds_since(killed_last)
                                   << " s after its publisher was killed");

  auto r = node.resources();
  check_idle(r);
  CHECK(max_directory_entries == 1);
  CHECK(count(r, "sessions_started") == cycles + 1);
  CHECK(count(r, "sessions_ended/takeover") == cycles - 1);
  CHECK(count(r, "sessions_ended/client_gone") == 1);
  CHECK(count(r, "sessions_ended/client_stop") == 1);

  auto end = settled_load(node);
  MESSAGE("after " << cycles << " cycles threads=" << end.threads
                   << " fds=" << end.fds);
  CHECK(end.fds <= baseline.fds + fd_slack);
  CHECK(end.threads <= baseline.threads + thread_slack);
  // Bounded: fifty more sessions left no more threads or fds than one did.
  CHECK(end.fds <= warm.fds);
  CHECK(end.threads <= warm.threads);
  CHECK(recordings(node, "churn").size() == static_cast<size_t>(cycles));
  auto took = fixtures::seconds_since(started);
  MESSAGE("churn test took " << took << " s");
  CHECK(took < 120.0);
}

} // namespace sluice::it
