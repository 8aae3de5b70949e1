#pragma once

// The directory: the one authority on which session owns a stream id.
// Sessions claim; the directory monitors every claimant and erases an entry
// only on that session's down message. A claim on a live id either fails
// (on_conflict=reject) or takes over: the old owner gets an exit with
// end_reason::takeover, and the new claim is answered only after the old
// owner's down message, or after a hard kill once takeover_wait passed.

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "telemetry/resource_counts.hpp"

namespace sluice {

enum class conflict_policy { takeover, reject };

struct directory_config {
  conflict_policy on_conflict = conflict_policy::takeover;
  /// How long an old owner may take to close before it is killed.
  std::chrono::milliseconds takeover_wait{2'000};
  telemetry::resource_counts_ptr counts;
};

caf::error validate(const directory_config& cfg);

struct directory_state {
  static inline constexpr const char* name = "directory";

  struct owner {
    session_actor session;
    std::string session_id;
    uint64_t generation = 0;
    bool stopping = false; ///< A takeover exit was sent.
  };

  struct waiting_claim {
    session_actor session;
    std::string session_id;
    caf::typed_response_promise<uint64_t> promise;
  };

  explicit directory_state(
    directory_actor::stateful_pointer<directory_state> self);

  /// Records `claim` as the owner of `stream_id` and answers it.
  void grant(const std::string& stream_id, waiting_claim claim);

  /// Handles the down message of any monitored session.
  void on_down(const caf::down_msg& msg);

  /// Publishes entries.size() to the shared counters.
  void publish_count();

  directory_actor::stateful_pointer<directory_state> self;
  directory_config cfg;
  std::map<std::string, owner> entries;
  /// At most one claim per stream id waits for a takeover; a newer claim
  /// supersedes it.
  std::map<std::string, waiting_claim> waiting;
  /// Generations grow across all stream ids, so they also order claims.
  uint64_t last_generation = 0;
};

directory_actor::behavior_type
directory(directory_actor::stateful_pointer<directory_state> self,
          directory_config cfg);

} // namespace sluice
