#pragma once

// Plain data that travels in actor messages. Every type has an `inspect` so
// CAF can print it in logs and, later, serialize it across nodes.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "common/end_reason.hpp"
#include "pipelines/webrtc_ingest.hpp"

namespace sluice {

/// Where a session is in its life (DESIGN.md section 3).
enum class session_phase : uint8_t { negotiating, connecting, live, closing };

const char* to_string(session_phase p) noexcept;

/// What a successful publish hands back to the client.
struct publish_result {
  std::string session_id;
  std::string answer_sdp;
  std::string etag; ///< Unquoted; names the ICE session for If-Match.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, publish_result& x) {
  return f(caf::meta::type_name("publish_result"), x.session_id, x.answer_sdp,
           x.etag);
}

/// One directory record: who owns a stream id, and since which generation.
struct directory_entry {
  std::string stream_id;
  std::string session_id;
  uint64_t generation = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, directory_entry& x) {
  return f(caf::meta::type_name("directory_entry"), x.stream_id, x.session_id,
           x.generation);
}

/// The health actor's view of a pipeline.
struct pipeline_stats {
  uint64_t rtp_packets = 0;
  uint64_t rtp_bytes = 0;
  /// Milliseconds since the last RTP packet; -1 before the first one.
  int64_t since_last_media_ms = -1;
  pipelines::ice_state ice = pipelines::ice_state::fresh;
  std::string recording; ///< Path of the recording, empty if off.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pipeline_stats& x) {
  return f(caf::meta::type_name("pipeline_stats"), x.rtp_packets, x.rtp_bytes,
           x.since_last_media_ms, x.ice, x.recording);
}

/// A live session as the supervisor sees it.
struct session_summary {
  std::string stream_id;
  std::string session_id;
  std::string origin;
  uint64_t generation = 0; ///< 0 until the directory registered it.
  session_phase phase = session_phase::negotiating;
  std::string recording; ///< Path of the recording, empty if off or unknown.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_summary& x) {
  return f(caf::meta::type_name("session_summary"), x.stream_id, x.session_id,
           x.origin, x.generation, x.phase, x.recording);
}

/// Resource accounting: the invariant numbers tests and metrics read.
struct resource_report {
  int64_t sessions = 0;          ///< Live session actors (state objects).
  int64_t pipelines = 0;         ///< Live pipeline actors.
  int64_t health_checks = 0;     ///< Live health actors.
  int64_t directory_entries = 0; ///< Registered stream ids.
  int64_t gst_ingests = 0;       ///< webrtc_ingest objects not yet destroyed.
  int64_t threads = 0;           ///< Threads of this process.
  int64_t fds = 0;               ///< Open file descriptors of this process.
  uint64_t sessions_started = 0;
  uint64_t sessions_rejected = 0; ///< Ended before registration (see docs).
  uint64_t frozen_sessions = 0;  ///< Children that missed the close deadline.
  std::map<std::string, uint64_t> sessions_ended; ///< By end_reason name.
  std::vector<session_summary> streams;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, resource_report& x) {
  return f(caf::meta::type_name("resource_report"), x.sessions, x.pipelines,
           x.health_checks, x.directory_entries, x.gst_ingests, x.threads,
           x.fds, x.sessions_started, x.sessions_rejected, x.frozen_sessions,
           x.sessions_ended, x.streams);
}

} // namespace sluice
