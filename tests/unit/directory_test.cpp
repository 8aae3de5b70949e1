// The directory: one owner per stream id; takeover waits for the old owner's
// end before registering the new one; reject refuses.

#include <doctest/doctest.h>

#include "tests/unit/actor_fixture.hpp"

using namespace sluice;
using sluice::test::actor_fixture;

TEST_CASE_FIXTURE(actor_fixture, "a session exit removes its directory entry") {
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  run();
  REQUIRE(counts->directory_entries == 1);
  end(s, caf::make_error(end_reason::client_stop));
  run();
  CHECK(counts->directory_entries == 0);
  CHECK(state_of<directory_state>(dir).entries.empty());
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "takeover: the old session is gone before "
                                 "the new one is registered") {
  auto dir = spawn_directory();
  auto old_session = spawn_session(dir, "cam1", "old");
  run();
  auto old_obs = observe(old_session);
  REQUIRE(state_of<session_state>(old_session).generation == 1);
  auto new_session = spawn_session(dir, "cam1", "new");
  // Step one message at a time and check the ordering after every step.
  bool registered = false;
  size_t steps = 0;
  while (sched.try_run_once()) {
    ++steps;
    auto& dir_state = state_of<directory_state>(dir);
    auto entry = dir_state.entries.find("cam1");
    if (entry != dir_state.entries.end()
        && entry->second.session_id == "new") {
      registered = true;
      // At the moment the new owner is recorded, the old session and both
      // of its children are gone.
      CHECK(old_obs.done());
      CHECK(counts->sessions == 1);
      CHECK(counts->pipelines == 1);
      CHECK(counts->health_checks == 1);
    }
  }
  CHECK(steps > 0);
  REQUIRE(registered);
  CHECK(old_obs.end() == end_reason::takeover);
  CHECK(state_of<session_state>(new_session).generation == 2);
  CHECK(counts->directory_entries == 1);
  end(new_session, caf::make_error(end_reason::client_stop));
  run();
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "three publishes in a row: the newest wins, "
                                 "the middle one is superseded") {
  auto dir = spawn_directory();
  auto first = spawn_session(dir, "cam1", "first");
  run();
  auto first_obs = observe(first);
  auto second = spawn_session(dir, "cam1", "second");
  auto third = spawn_session(dir, "cam1", "third");
  // Both claims arrive before the first session had a chance to end.
  auto second_obs = observe(second);
  run();
  CHECK(first_obs.end() == end_reason::takeover);
  REQUIRE(second_obs.done());
  CHECK(**second_obs.reason == caf::make_error(ec::superseded));
  CHECK(state_of<directory_state>(dir).entries.at("cam1").session_id
        == "third");
  CHECK(counts->sessions == 1);
  end(third, caf::make_error(end_reason::client_stop));
  run();
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "on_conflict=reject refuses a live stream "
                                 "id and keeps the owner") {
  auto dir = spawn_directory(conflict_policy::reject);
  auto owner = spawn_session(dir, "cam1", "owner");
  run();
  auto owner_obs = observe(owner);
  auto late = spawn_session(dir, "cam1", "late");
  auto late_obs = observe(late);
  run();
  REQUIRE(late_obs.done());
  CHECK(**late_obs.reason == caf::make_error(ec::stream_in_use));
  CHECK_FALSE(owner_obs.done());
  CHECK(counts->directory_entries == 1);
  CHECK(counts->sessions == 1);
  end(owner, caf::make_error(end_reason::client_stop));
  run();
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "distinct stream ids do not interfere") {
  auto dir = spawn_directory();
  auto a = spawn_session(dir, "a", "sa");
  auto b = spawn_session(dir, "b", "sb");
  run();
  CHECK(counts->directory_entries == 2);
  end(a, caf::make_error(end_reason::client_stop));
  run();
  CHECK(counts->directory_entries == 1);
  CHECK(state_of<directory_state>(dir).entries.count("b") == 1);
  end(b, caf::make_error(end_reason::client_stop));
  run();
  CHECK(all_released());
}
