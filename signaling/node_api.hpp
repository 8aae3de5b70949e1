#pragma once

// What the HTTP edge needs from the node, without CAF. app/ implements it on
// top of the actor system; every callback may run on any thread and is called
// exactly once.

#include <functional>
#include <string>

#include "pipelines/result.hpp"

namespace sluice::signaling {

struct publish_request {
  std::string stream_id;  ///< Unvalidated; the node validates it.
  std::string offer_sdp;
  std::string origin;     ///< "whip" or "antmedia", for logs and metrics.
};

struct publish_answer {
  std::string session_id; ///< Names the WHIP resource: /whip/{stream}/{session_id}.
  std::string answer_sdp;
  std::string etag;       ///< Identifies the ICE session, for If-Match.
};

struct trickle_request {
  std::string stream_id;
  std::string session_id;
  std::string if_match;   ///< Raw If-Match header value, empty if absent.
  std::string sdpfrag;
};

struct stop_request {
  std::string stream_id;
  std::string session_id;
};

class node_api {
public:
  virtual ~node_api() = default;

  /// Starts a publish. Fails with invalid_stream_id, malformed_sdp, no_media,
  /// unsupported_codec, stream_in_use, unavailable, negotiation_failed, timeout.
  virtual void publish(publish_request req,
                       std::function<void(result<publish_answer>)> done) = 0;

  /// Trickles candidates. Fails with unknown_session, etag_mismatch,
  /// ice_restart_unsupported, bad_request.
  virtual void trickle(trickle_request req,
                       std::function<void(result<bool>)> done) = 0;

  /// Ends a session with end_reason::client_stop. Fails with unknown_session.
  virtual void stop(stop_request req,
                    std::function<void(result<bool>)> done) = 0;

  /// The resource accounting as a JSON object (see /debug/resources).
  virtual void resources(std::function<void(std::string json)> done) = 0;

  /// False while draining or at capacity; drives /readyz.
  virtual bool ready() const = 0;
};

} // namespace sluice::signaling
