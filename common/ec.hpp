#pragma once

// The one error code enum of sluice. It has no CAF dependency so the HTTP
// edge can map it to statuses; actors/errors.hpp registers it with CAF.

#include <cstdint>
#include <string>

namespace sluice {

/// Why a request failed. Values start at 1 because CAF reserves 0 for "none".
enum class ec : uint8_t {
  /// The stream id is empty, too long, or has characters outside [A-Za-z0-9_.-].
  invalid_stream_id = 1,
  /// The SDP offer does not parse.
  malformed_sdp,
  /// The SDP offer has neither audio nor video.
  no_media,
  /// No offered codec is one we can receive (H.264, VP8, VP9, Opus).
  unsupported_codec,
  /// The request body has the wrong Content-Type.
  unsupported_media_type,
  /// The request body exceeds the configured limit.
  payload_too_large,
  /// The request is syntactically wrong in some other way.
  bad_request,
  /// The stream id is live and `on_conflict` is `reject`.
  stream_in_use,
  /// No session exists with that id (never existed, or already ended).
  unknown_session,
  /// The If-Match header names another ICE session.
  etag_mismatch,
  /// The client asked for an ICE restart, which sluice does not support yet.
  ice_restart_unsupported,
  /// The node is draining or at capacity and takes no new publishes.
  unavailable,
  /// A newer publish for the same stream id won while this one waited.
  superseded,
  /// webrtcbin failed to produce an answer.
  negotiation_failed,
  /// Something internal did not answer in time.
  timeout,
  /// A bug or an unexpected failure; the message says more.
  internal,
};

/// Returns the enumerator name, e.g. "invalid_stream_id".
const char* to_string(ec code) noexcept;

} // namespace sluice
