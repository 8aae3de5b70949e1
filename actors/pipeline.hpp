#pragma once

// The pipeline actor: owns one pipelines::webrtc_ingest and turns its
// GStreamer-thread callbacks into messages. Linked to its session. It ends
// the session at once on facts (ICE failed, client closed, GStreamer error);
// timed judgments belong to the health actor.
//
// Spawned detached by default: closing a pipeline blocks (recording
// finalization, state change to NULL), and that must not stall the shared
// scheduler threads that every other session runs on.

#include <memory>
#include <optional>
#include <string>

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/health.hpp"
#include "actors/interfaces.hpp"
#include "pipelines/webrtc_ingest.hpp"
#include "telemetry/resource_counts.hpp"

namespace sluice {

struct pipeline_config {
  std::string label; ///< "<stream>/<session>" for log lines.
  pipelines::ingest_settings ingest;
  session_actor parent; ///< Told when media flows (live_atom).
  session_timeouts timeouts;
  telemetry::resource_counts_ptr counts;
};

caf::error validate(const pipeline_config& cfg);

struct pipeline_state {
  static inline constexpr const char* name = "pipeline";

  explicit pipeline_state(pipeline_actor::stateful_pointer<pipeline_state> self);

  /// Delivers the pending answer, if any, and forgets the promise.
  void deliver_answer(caf::expected<std::string> answer);

  /// Logs why and exits with the reason.
  void end(end_reason reason, const std::string& why);

  pipeline_actor::stateful_pointer<pipeline_state> self;
  pipeline_config cfg;
  // Declared before `ingest` so it is destroyed after it: the count only
  // falls once the GStreamer pipeline is really gone.
  std::unique_ptr<telemetry::counted> live;
  std::optional<caf::typed_response_promise<std::string>> pending_answer;
  bool told_parent_live = false;
  pipelines::ice_state ice = pipelines::ice_state::fresh;
  /// Destroying this closes the pipeline (see webrtc_ingest::close).
  std::unique_ptr<pipelines::webrtc_ingest> ingest;
};

pipeline_actor::behavior_type
pipeline(pipeline_actor::stateful_pointer<pipeline_state> self,
         pipeline_config cfg);

} // namespace sluice
