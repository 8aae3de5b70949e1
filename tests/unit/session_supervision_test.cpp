// Supervision of one session: whatever dies first, everything dies, and the
// directory forgets the stream id. Real actors, real (idle) pipelines.

#include <doctest/doctest.h>

#include "actors/pipeline.hpp"
#include "tests/unit/actor_fixture.hpp"

using namespace sluice;
using sluice::test::actor_fixture;

TEST_CASE_FIXTURE(actor_fixture, "a registered session counts once in every "
                                 "tally") {
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  run();
  CHECK(counts->sessions == 1);
  CHECK(counts->pipelines == 1);
  CHECK(counts->health_checks == 1);
  CHECK(counts->directory_entries == 1);
  CHECK(state_of<session_state>(s).generation == 1);
  end(s, caf::make_error(end_reason::client_stop));
  run();
}

TEST_CASE_FIXTURE(actor_fixture, "a pipeline failure takes the whole session "
                                 "down") {
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  run();
  auto obs = observe(s);
  auto pipe = state_of<session_state>(s).pipeline;
  REQUIRE(pipe);
  // Exactly what a GStreamer bus callback posts on an ERROR message.
  caf::anon_send(pipe, gst_error_atom::value, std::string{"boom"});
  run();
  REQUIRE(obs.done());
  CHECK(obs.end() == end_reason::pipeline_error);
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "a client that closes the transport ends the "
                                 "session at once") {
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  run();
  auto obs = observe(s);
  caf::anon_send(state_of<session_state>(s).pipeline, bye_atom::value);
  run();
  CHECK(obs.end() == end_reason::client_closed);
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "ICE failed ends the session at once") {
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  run();
  auto obs = observe(s);
  caf::anon_send(state_of<session_state>(s).pipeline, ice_atom::value,
                 pipelines::ice_state::failed);
  run();
  CAPTURE(obs.text(sys));
  CHECK(obs.end() == end_reason::client_gone);
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "a health verdict takes the whole session "
                                 "down: connect timeout") {
  timeouts.connect = std::chrono::seconds{3};
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  auto obs = observe(s);
  auto took = advance_until([&] { return obs.done(); },
                            std::chrono::seconds{10});
  REQUIRE(obs.done());
  CHECK(obs.end() == end_reason::connect_timeout);
  // Not before the timeout, and within one health interval after it.
  CHECK(took >= timeouts.connect);
  CHECK(took <= timeouts.connect + timeouts.health_interval * 2);
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "a dying health actor takes the session and "
                                 "pipeline down") {
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  run();
  auto obs = observe(s);
  auto h = state_of<session_state>(s).health;
  REQUIRE(h);
  end(h, caf::make_error(end_reason::unhealthy));
  run();
  CHECK(obs.end() == end_reason::unhealthy);
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "every end reason ends the session with that "
                                 "reason and releases everything") {
  auto dir = spawn_directory();
  int n = 0;
  for (auto reason : all_end_reasons) {
    CAPTURE(to_string(reason));
    auto s = spawn_session(dir, "cam" + std::to_string(n), "s" + std::to_string(n));
    ++n;
    run();
    REQUIRE(counts->directory_entries == 1);
    auto obs = observe(s);
    end(s, caf::make_error(reason));
    run();
    REQUIRE(obs.done());
    CHECK(obs.end() == reason);
    CHECK(all_released());
  }
}

namespace {

// Posts an ICE state change exactly as the ingest's GStreamer callback does.
void post_ice(const session_actor& s, pipelines::ice_state state) {
  caf::anon_send(actor_fixture::state_of<session_state>(s).pipeline,
                 ice_atom::value, state);
}

} // namespace

TEST_CASE_FIXTURE(actor_fixture, "ICE disconnected ends the session only "
                                 "after the grace period") {
  timeouts.ice_disconnected_grace = std::chrono::seconds{3};
  timeouts.media = std::chrono::seconds{60}; // keep the media rule out of it
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  run();
  auto obs = observe(s);
  post_ice(s, pipelines::ice_state::connected);
  advance_until([] { return false; }, std::chrono::seconds{1});
  post_ice(s, pipelines::ice_state::disconnected);
  auto took = advance_until([&] { return obs.done(); },
                            std::chrono::seconds{10});
  REQUIRE(obs.done());
  CHECK(obs.end() == end_reason::client_gone);
  CHECK(took >= timeouts.ice_disconnected_grace);
  CHECK(took <= timeouts.ice_disconnected_grace + timeouts.health_interval * 2);
  CHECK(all_released());
}

TEST_CASE_FIXTURE(actor_fixture, "ICE that recovers within the grace period "
                                 "keeps the session") {
  timeouts.ice_disconnected_grace = std::chrono::seconds{3};
  timeouts.media = std::chrono::seconds{60};
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  run();
  auto obs = observe(s);
  post_ice(s, pipelines::ice_state::connected);
  advance_until([] { return false; }, std::chrono::seconds{1});
  post_ice(s, pipelines::ice_state::disconnected);
  advance_until([] { return false; }, std::chrono::seconds{2});
  post_ice(s, pipelines::ice_state::connected);
  advance_until([&] { return obs.done(); }, std::chrono::seconds{5});
  CHECK_FALSE(obs.done());
  CHECK(counts->sessions == 1);
}

TEST_CASE_FIXTURE(actor_fixture, "connected without media ends the session "
                                 "after media_timeout") {
  timeouts.media = std::chrono::seconds{5};
  auto dir = spawn_directory();
  auto s = spawn_session(dir, "cam1", "s1");
  run();
  auto obs = observe(s);
  post_ice(s, pipelines::ice_state::connected);
  auto took = advance_until([&] { return obs.done(); },
                            std::chrono::seconds{20});
  REQUIRE(obs.done());
  CHECK(obs.end() == end_reason::client_gone);
  CHECK(took >= timeouts.media);
  CHECK(took <= timeouts.media + timeouts.health_interval * 2);
  CHECK(all_released());
}
