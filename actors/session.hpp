#pragma once

// The session actor: one publish. It spawns its pipeline and health check
// linked, claims the stream id from the directory, and answers the publish
// once the answer SDP exists AND it owns the stream id.
//
// Closing: whatever ends a session (a child's exit, an exit from the
// directory or supervisor), the session first sends that reason to its
// living children and waits for their down messages (children are linked
// AND monitored: CAF unlinks the target of send_exit, so only the monitor
// reports their end reliably), bounded by timeouts.close, and
// only then quits with the same reason. So a session's down message means
// its pipeline is closed and its recording finalized.

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

struct session_config {
  std::string stream_id;
  std::string session_id;
  std::string origin;          ///< "whip", ... for logs.
  std::string prepared_offer;  ///< From pipelines::prepare_offer.
  pipelines::ingest_settings ingest; ///< stream/session ids are filled in.
  session_timeouts timeouts;
  directory_actor directory;
  supervisor_actor supervisor; ///< Receives summaries; may be null in tests.
  telemetry::resource_counts_ptr counts;
  /// Run the pipeline on its own thread (see actors/pipeline.hpp). Tests
  /// under the deterministic scheduler turn this off.
  bool detach_pipeline = true;
};

caf::error validate(const session_config& cfg);

struct session_state {
  static inline constexpr const char* name = "session";

  explicit session_state(session_actor::stateful_pointer<session_state> self);

  /// "<stream>/<session>", the prefix of every log line.
  std::string label() const;

  /// Answers the publish once both the answer and the claim are in.
  void maybe_answer();

  /// Starts closing with `reason` (idempotent): fails a pending publish,
  /// passes the reason to living children, quits when they are gone.
  void close(caf::error reason);

  /// Handles an exit message from a child or from anyone else.
  void on_exit_msg(const caf::exit_msg& msg);

  /// Handles a child's down message; quits once both children are gone.
  void on_down(const caf::down_msg& msg);

  /// Sends the current summary to the supervisor.
  void report();

  session_actor::stateful_pointer<session_state> self;
  session_config cfg;
  std::unique_ptr<telemetry::counted> live; ///< Counts this session.
  pipeline_actor pipeline;
  health_actor health;
  session_phase phase = session_phase::negotiating;
  uint64_t generation = 0; ///< 0 until the directory registered us.
  std::optional<std::string> answer;
  std::optional<caf::typed_response_promise<publish_result>> pending_publish;
  std::string recording;
  bool closing = false;
  caf::error close_reason;
};

session_actor::behavior_type
session(session_actor::stateful_pointer<session_state> self,
        session_config cfg);

} // namespace sluice
