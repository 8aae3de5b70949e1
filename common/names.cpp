#include "common/ec.hpp"
#include "common/end_reason.hpp"

namespace sluice {

const char* to_string(ec code) noexcept {
  switch (code) {
    case ec::invalid_stream_id: return "invalid_stream_id";
    case ec::malformed_sdp: return "malformed_sdp";
    case ec::no_media: return "no_media";
    case ec::unsupported_codec: return "unsupported_codec";
    case ec::unsupported_media_type: return "unsupported_media_type";
    case ec::payload_too_large: return "payload_too_large";
    case ec::bad_request: return "bad_request";
    case ec::stream_in_use: return "stream_in_use";
    case ec::unknown_session: return "unknown_session";
    case ec::etag_mismatch: return "etag_mismatch";
    case ec::ice_restart_unsupported: return "ice_restart_unsupported";
    case ec::unavailable: return "unavailable";
    case ec::superseded: return "superseded";
    case ec::negotiation_failed: return "negotiation_failed";
    case ec::timeout: return "timeout";
    case ec::internal: return "internal";
  }
  return "unknown_ec";
}

const char* to_string(end_reason reason) noexcept {
  switch (reason) {
    case end_reason::client_stop: return "client_stop";
    case end_reason::client_closed: return "client_closed";
    case end_reason::client_gone: return "client_gone";
    case end_reason::connect_timeout: return "connect_timeout";
    case end_reason::takeover: return "takeover";
    case end_reason::pipeline_error: return "pipeline_error";
    case end_reason::unhealthy: return "unhealthy";
    case end_reason::admin_stop: return "admin_stop";
    case end_reason::drain: return "drain";
    case end_reason::node_shutdown: return "node_shutdown";
    case end_reason::node_lost: return "node_lost";
  }
  return "unknown_end_reason";
}

std::optional<end_reason> parse_end_reason(std::string_view name) noexcept {
  for (auto r : all_end_reasons)
    if (name == to_string(r))
      return r;
  return std::nullopt;
}

} // namespace sluice
