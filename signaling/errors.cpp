#include "signaling/errors.hpp"

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

namespace sluice::signaling {

namespace http = boost::beast::http;

http::status http_status(ec code) noexcept {
  switch (code) {
    case ec::invalid_stream_id:
    case ec::malformed_sdp:
    case ec::no_media:
    case ec::unsupported_codec:
    case ec::bad_request:
      return http::status::bad_request;
    case ec::unsupported_media_type:
      return http::status::unsupported_media_type;
    case ec::payload_too_large:
      return http::status::payload_too_large;
    case ec::stream_in_use:
    case ec::superseded:
      return http::status::conflict;
    case ec::unknown_session:
      return http::status::not_found;
    case ec::etag_mismatch:
      return http::status::precondition_failed;
    case ec::ice_restart_unsupported:
      // RFC 9725 section 4.3.1: a session that supports Trickle ICE but not
      // ICE restarts MUST answer the unsupported PATCH with 422.
      return http::status::unprocessable_entity;
    case ec::unavailable:
      return http::status::service_unavailable;
    case ec::negotiation_failed:
      // 500, not 502: webrtcbin runs inside this process, so a failed
      // negotiation is our own failure, not that of an upstream server.
      return http::status::internal_server_error;
    case ec::timeout:
      return http::status::gateway_timeout;
    case ec::internal:
      return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

http_response error_response(http::status status, std::string_view error,
                             std::string_view message) {
  http_response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  nlohmann::json body{{"error", error}, {"message", message}};
  // Messages may quote client input; replace invalid UTF-8 instead of
  // letting dump() throw.
  res.body() = body.dump(-1, ' ', false,
                         nlohmann::json::error_handler_t::replace);
  return res;
}

http_response error_response(const failure& f) {
  return error_response(http_status(f.code), to_string(f.code), f.message);
}

} // namespace sluice::signaling
