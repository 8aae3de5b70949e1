#pragma once

// The health actor: timed judgments about one session. Linked to the session
// (and through it to the pipeline), so it can never outlive what it checks.
// It polls the pipeline for stats every `interval` and exits with an
// end_reason when the session should end; the link does the rest.

#include <chrono>
#include <string>

#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "telemetry/resource_counts.hpp"

namespace sluice {

/// Timeouts shared by the session, its pipeline and its health check.
struct session_timeouts {
  /// ICE must connect within this after the session starts.
  std::chrono::milliseconds connect{10'000};
  /// No RTP for this long after connecting means the client vanished.
  std::chrono::milliseconds media{5'000};
  /// ICE may stay `disconnected` this long before the session ends.
  std::chrono::milliseconds ice_disconnected_grace{3'000};
  /// The answer waits at most this long for ICE gathering to complete.
  std::chrono::milliseconds gather{2'000};
  /// Children must exit within this while the session closes.
  std::chrono::milliseconds close{5'000};
  /// How often the health actor polls the pipeline.
  std::chrono::milliseconds health_interval{250};
};

struct health_config {
  std::string label; ///< "<stream>/<session>" for log lines.
  pipeline_actor pipeline;
  session_timeouts timeouts;
  telemetry::resource_counts_ptr counts;
};

caf::error validate(const health_config& cfg);

struct health_state {
  static inline constexpr const char* name = "health";

  explicit health_state(health_actor::stateful_pointer<health_state> self);

  /// Decides on one stats snapshot. Returns false (after quitting the actor)
  /// if the session is over.
  bool judge(const pipeline_stats& stats);

  /// Logs the verdict and exits with it; always returns false.
  bool end(end_reason reason, const std::string& why);

  health_actor::stateful_pointer<health_state> self;
  health_config cfg;
  std::unique_ptr<telemetry::counted> live; ///< Counts this health check.
  caf::actor_clock::time_point started;
  std::optional<caf::actor_clock::time_point> connected_at;
  std::optional<caf::actor_clock::time_point> disconnected_since;
};

health_actor::behavior_type
health(health_actor::stateful_pointer<health_state> self, health_config cfg);

} // namespace sluice
