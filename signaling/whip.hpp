#pragma once

// WHIP (RFC 9725) routes. Every response carries Access-Control-Allow-Origin
// (http_config::cors_origin) and Access-Control-Expose-Headers so browser
// clients on another origin can read Location and ETag. Errors are JSON:
// {"error":"<name>","message":"..."} (see signaling/errors.hpp).
//
//   OPTIONS /whip[/...]            204  CORS preflight; Accept-Post:
//                                       application/sdp, Allow. Answered for
//                                       any /whip path, even an invalid id, so
//                                       the browser then sees the real error.
//   POST    /whip/{stream}         201  Content-Type: application/sdp,
//                                       Location: /whip/{stream}/{session},
//                                       ETag: "<etag>", body = answer SDP
//                                  400  invalid_stream_id: the percent-decoded
//                                       {stream} fails is_valid_stream_id
//                                       (checked before anything else), or
//                                       malformed_sdp (empty body), no_media,
//                                       unsupported_codec
//                                  409  stream_in_use, superseded
//                                  413  payload_too_large (body over
//                                       max_body_bytes, from the parser)
//                                  415  unsupported_media_type: Content-Type
//                                       is not application/sdp (parameters
//                                       such as ;charset are allowed)
//                                  500  negotiation_failed, internal
//                                  503  unavailable (draining or at capacity)
//                                  504  timeout (the node, or no answer within
//                                       idle_timeout)
//   PATCH   /whip/{stream}/{id}    204  trickle ICE candidates applied
//                                  400  bad_request (empty sdpfrag)
//                                  404  unknown_session
//                                  412  etag_mismatch (If-Match names another
//                                       ICE session)
//                                  415  Content-Type is not
//                                       application/trickle-ice-sdpfrag
//                                  422  ice_restart_unsupported: RFC 9725
//                                       section 4.3.1 says a session that
//                                       supports Trickle ICE but not ICE
//                                       restarts MUST answer 422
//   DELETE  /whip/{stream}/{id}    200  session ended (end_reason::client_stop)
//                                  404  unknown_session
//   other methods                  405  method_not_allowed, with Allow
//   /whip/{stream}/{id}/...        404  not_found
//
// A {id} that is not a plausible session id (same character rules as stream
// ids) gets 404 unknown_session without asking the node.

#include <string>
#include <string_view>

#include "signaling/http_types.hpp"
#include "signaling/node_api.hpp"

namespace sluice::signaling {

/// Sets the CORS headers that every WHIP response carries.
void add_cors_headers(http_response& res, const std::string& origin);

/// Routes WHIP requests to the node and turns its answers into responses.
class whip_routes {
public:
  /// `node` must outlive this object; answers may arrive after it is gone.
  whip_routes(std::string cors_origin, node_api& node);

  /// True for "/whip" and every path under "/whip/".
  static bool matches(std::string_view path) noexcept;

  /// Answers `req`, whose path matches(), through `respond` exactly once.
  void handle(http_request req, responder respond);

private:
  void publish(std::string stream, http_request req, responder respond);
  void trickle(std::string stream, std::string session, http_request req,
               responder respond);
  void stop(std::string stream, std::string session, responder respond);

  std::string cors_origin_;
  node_api& node_;
};

} // namespace sluice::signaling
