#pragma once

// A CAF actor system on the deterministic test scheduler: nothing runs until
// the test says so, and time only moves when the test moves it. Actors are
// the real ones, pipelines included (a real webrtcbin that never gets an
// offer); nothing is mocked.

#include <chrono>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/directory.hpp"
#include "actors/session.hpp"
#include "actors/type_registry.hpp"
#include "pipelines/gst/init.hpp"
#include "telemetry/resource_counts.hpp"

namespace sluice::test {

inline caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  gst::ensure_gst_initialized();
  register_sluice_types(cfg);
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  return cfg;
}

/// Records the exit reason of one actor, seen through a monitor.
struct exit_observer {
  std::shared_ptr<std::optional<caf::error>> reason
    = std::make_shared<std::optional<caf::error>>();

  bool done() const { return reason->has_value(); }
  std::string text(caf::actor_system& sys) const {
    return done() ? sys.render(**reason) : "running";
  }
  std::optional<end_reason> end() const {
    return done() ? as_end_reason(**reason) : std::nullopt;
  }
};

struct actor_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  telemetry::resource_counts_ptr counts
    = std::make_shared<telemetry::resource_counts>();
  session_timeouts timeouts;

  actor_fixture()
    : sys(testing_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
  }

  ~actor_fixture() {
    // End whatever a test left alive (the directory always is), then let
    // every exit finish; the system must not wait for actors on shutdown.
    for (auto& a : spawned)
      end(a, caf::exit_reason::user_shutdown);
    sched.run();
    sys.await_actors_before_shutdown(false);
  }

  std::vector<caf::actor> spawned;

  void run() { sched.run(); }

  /// Sends an exit with `reason`, as the directory or supervisor would.
  template <class Handle>
  void end(const Handle& h, caf::error reason) {
    caf::scoped_actor self{sys};
    self->send_exit(h, std::move(reason));
  }

  /// Moves virtual time in health-interval steps, running everything due,
  /// until `done` holds or `total` passed. Returns the time it took.
  template <class Pred>
  std::chrono::milliseconds advance_until(Pred done,
                                          std::chrono::milliseconds total) {
    std::chrono::milliseconds t{0};
    run();
    while (!done() && t < total) {
      sched.advance_time(timeouts.health_interval);
      t += timeouts.health_interval;
      run();
    }
    return t;
  }

  template <class Handle>
  exit_observer observe(const Handle& h) {
    exit_observer obs;
    auto slot = obs.reason;
    auto target = caf::actor_cast<caf::actor>(h);
    // Keep a handle: CAF ends actors that nobody references any more.
    spawned.push_back(sys.spawn([slot, target](caf::event_based_actor* self) {
      self->monitor(target);
      self->set_down_handler([slot, self](caf::down_msg& msg) {
        *slot = msg.reason;
        self->quit();
      });
      return caf::behavior{[](int) {}};
    }));
    run();
    return obs;
  }

  directory_actor spawn_directory(conflict_policy policy
                                  = conflict_policy::takeover) {
    directory_config dcfg;
    dcfg.on_conflict = policy;
    dcfg.counts = counts;
    auto d = sys.spawn(directory, dcfg);
    spawned.push_back(caf::actor_cast<caf::actor>(d));
    run();
    return d;
  }

  session_actor spawn_session(const directory_actor& dir,
                              const std::string& stream_id,
                              const std::string& session_id) {
    session_config scfg;
    scfg.stream_id = stream_id;
    scfg.session_id = session_id;
    scfg.origin = "test";
    scfg.ingest.record = false;
    scfg.timeouts = timeouts;
    scfg.directory = dir;
    scfg.counts = counts;
    scfg.detach_pipeline = false;
    auto s = sys.spawn(session, scfg);
    spawned.push_back(caf::actor_cast<caf::actor>(s));
    return s;
  }

  /// The state of a live stateful actor. Only safe because the test
  /// scheduler runs every actor on this thread.
  template <class State, class Handle>
  static State& state_of(const Handle& h) {
    using base = typename std::conditional_t<
      std::is_same_v<State, session_state>, session_actor,
      directory_actor>::base;
    auto ptr = caf::actor_cast<caf::abstract_actor*>(h);
    return dynamic_cast<caf::stateful_actor<State, base>*>(ptr)->state;
  }

  /// All live-object counts are zero.
  bool all_released() const {
    return counts->sessions == 0 && counts->pipelines == 0
           && counts->health_checks == 0 && counts->directory_entries == 0;
  }
};

} // namespace sluice::test
