#pragma once

// The root of the actor tree. Spawns the directory (linked: if it dies, the
// node dies loudly) and one monitored session per publish. It validates
// input before anything is spawned, routes trickle and stop requests by
// session id, counts how sessions ended, and drives shutdown.

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/directory.hpp"
#include "actors/health.hpp"
#include "actors/interfaces.hpp"
#include "pipelines/webrtc_ingest.hpp"
#include "telemetry/resource_counts.hpp"

namespace sluice {

struct supervisor_config {
  pipelines::ingest_settings ingest; ///< Template; ids are filled per session.
  session_timeouts timeouts;
  directory_config directory;
  /// 0 means unlimited.
  std::size_t max_sessions = 0;
  /// Upper bound for shutdown to wait for every session to end.
  std::chrono::milliseconds shutdown_wait{10'000};
  telemetry::resource_counts_ptr counts;
  bool detach_pipelines = true;
};

caf::error validate(const supervisor_config& cfg);

struct supervisor_state {
  static inline constexpr const char* name = "node_supervisor";

  struct tracked {
    session_actor session;
    session_summary summary;
    std::chrono::steady_clock::time_point started;
  };

  explicit supervisor_state(
    supervisor_actor::stateful_pointer<supervisor_state> self);

  /// A fresh, unguessable session id (16 hex digits).
  std::string next_session_id();

  /// The tracked session for a stream and session id, or nullptr.
  tracked* find(const std::string& stream_id, const std::string& session_id);

  /// Handles a session's down message: counts, logs, answers waiters.
  void on_down(const caf::down_msg& msg);

  resource_report make_report() const;

  supervisor_actor::stateful_pointer<supervisor_state> self;
  supervisor_config cfg;
  directory_actor directory;
  std::map<caf::actor_addr, tracked> sessions;
  std::map<std::string, caf::actor_addr> by_session_id;
  std::multimap<caf::actor_addr, caf::typed_response_promise<bool>> stops;
  std::optional<caf::typed_response_promise<uint64_t>> shutdown;
  uint64_t shutdown_count = 0;
  bool draining = false;
  uint64_t started = 0;
  uint64_t rejected = 0;
  std::map<std::string, uint64_t> ended;
  std::mt19937_64 rng;
};

supervisor_actor::behavior_type
node_supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                supervisor_config cfg);

} // namespace sluice
