#pragma once

// The whole actor protocol of a sluice node in one file. Read this first.
//
//   node_supervisor ─┬─ directory          stream id → owning session
//                    └─ session (per publish, monitored by both)
//                          ├─ pipeline     linked, owns webrtcbin + recording
//                          └─ health       linked, timed judgments
//
// Links tie lifetimes: when any of session, pipeline or health dies, all
// three die. Monitors only observe: the directory and the supervisor learn of
// a session's end through its down message and never restart anything.
// Every session ends with a caf::error from `end_reason` (actors/errors.hpp).

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/errors.hpp"
#include "actors/messages.hpp"

namespace sluice {

// -- atoms (CAF 0.17: at most 10 characters) ---------------------------------

using publish_atom = caf::atom_constant<caf::atom("publish")>;
using trickle_atom = caf::atom_constant<caf::atom("trickle")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using claim_atom = caf::atom_constant<caf::atom("claim")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using negotiate_atom = caf::atom_constant<caf::atom("negotiate")>;
using answer_atom = caf::atom_constant<caf::atom("answer")>;
using gathered_atom = caf::atom_constant<caf::atom("gathered")>;
using ice_atom = caf::atom_constant<caf::atom("ice")>;
using track_atom = caf::atom_constant<caf::atom("track")>;
using bye_atom = caf::atom_constant<caf::atom("bye")>;
using gst_error_atom = caf::atom_constant<caf::atom("gsterror")>;
using live_atom = caf::atom_constant<caf::atom("live")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using resources_atom = caf::atom_constant<caf::atom("resources")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;

// -- pipeline: owns one webrtc_ingest ----------------------------------------

/// Adapts pipelines::webrtc_ingest to messages. The `reacts_to` handlers
/// below the line are posted by GStreamer callbacks (anon_send) and by the
/// actor's own timers; nothing else sends them.
using pipeline_actor = caf::typed_actor<
  /// Applies a prepared offer; replies with the answer SDP once ICE
  /// gathering completed, or with what exists at the gather deadline.
  caf::replies_to<negotiate_atom, std::string>::with<std::string>,
  /// Adds trickled candidates (an RFC 8840 sdpfrag body).
  caf::replies_to<trickle_atom, std::string>::with<bool>,
  /// A snapshot for the health check.
  caf::replies_to<stats_atom>::with<pipeline_stats>,
  // ---- posted from GStreamer threads / own timers ----
  /// The answer with gathered candidates is ready.
  caf::reacts_to<answer_atom, std::string>,
  /// Creating the answer failed.
  caf::reacts_to<answer_atom, caf::error>,
  /// The gather deadline passed; answer with what we have.
  caf::reacts_to<gathered_atom>,
  /// The ICE connection state changed.
  caf::reacts_to<ice_atom, pipelines::ice_state>,
  /// The first buffer of a track arrived: kind, codec.
  caf::reacts_to<track_atom, std::string, std::string>,
  /// The client closed the transport (DTLS close_notify or RTCP BYE).
  caf::reacts_to<bye_atom>,
  /// GStreamer reported a fatal error.
  caf::reacts_to<gst_error_atom, std::string>>;

// -- health: periodic, timed judgments ---------------------------------------

using health_actor = caf::typed_actor<
  /// Time to poll the pipeline and judge (self-sent on a timer).
  caf::reacts_to<tick_atom>>;

// -- session: one publish ----------------------------------------------------

using session_actor = caf::typed_actor<
  /// Negotiates and claims the stream id; replies once both are done, so a
  /// client only gets its answer when it owns the stream id.
  caf::replies_to<publish_atom>::with<publish_result>,
  /// Trickles candidates: If-Match header value (may be empty), sdpfrag body.
  caf::replies_to<trickle_atom, std::string, std::string>::with<bool>,
  /// From the pipeline: media flows; carries the recording path.
  caf::reacts_to<live_atom, std::string>,
  /// Own timer: children did not exit in time while closing.
  caf::reacts_to<deadline_atom>>;

// -- directory: the one authority on stream id ownership ---------------------

using directory_actor = caf::typed_actor<
  /// Claims a stream id for a session (stream id, session id, session).
  /// Replies with the new generation once any previous owner is gone. Fails
  /// with ec::stream_in_use (on_conflict=reject) or ec::superseded (a newer
  /// claim for the same id arrived while this one waited).
  caf::replies_to<claim_atom, std::string, std::string,
                  session_actor>::with<uint64_t>,
  /// All current entries.
  caf::replies_to<list_atom>::with<std::vector<directory_entry>>,
  /// Own timer: the takeover wait for (stream id, old session) ran out.
  caf::reacts_to<deadline_atom, std::string, caf::actor_addr>>;

// -- node_supervisor: the root -----------------------------------------------

using supervisor_actor = caf::typed_actor<
  /// Starts a publish: stream id, offer SDP, origin ("whip", ...).
  caf::replies_to<publish_atom, std::string, std::string,
                  std::string>::with<publish_result>,
  /// Trickle: stream id, session id, If-Match, sdpfrag body.
  caf::replies_to<trickle_atom, std::string, std::string, std::string,
                  std::string>::with<bool>,
  /// Ends a session (stream id, session id, an end_reason as caf::error;
  /// CAF turns error-code enums into caf::error in messages anyway).
  /// Replies once the session is gone.
  caf::replies_to<stop_atom, std::string, std::string,
                  caf::error>::with<bool>,
  /// The resource accounting snapshot.
  caf::replies_to<resources_atom>::with<resource_report>,
  /// Ends every session with the reason and stops taking publishes; replies
  /// with the number of sessions ended once all are gone.
  caf::replies_to<shutdown_atom, caf::error>::with<uint64_t>,
  /// From a session: its summary changed (phase, generation, recording).
  caf::reacts_to<update_atom, session_summary>,
  /// Own timer: a shutdown waited long enough.
  caf::reacts_to<deadline_atom>>;

} // namespace sluice
