#pragma once

// How a failure becomes an HTTP response: one status table, one JSON shape.

#include <string_view>

#include <boost/beast/http/status.hpp>

#include "pipelines/result.hpp"
#include "signaling/http_types.hpp"

namespace sluice::signaling {

/// The HTTP status that answers a request which failed with `code`.
boost::beast::http::status http_status(ec code) noexcept;

/// A response with status `status`, `Content-Type: application/json` and the
/// body {"error":"<error>","message":"<message>"}. Route-level errors that
/// have no sluice::ec (not_found, method_not_allowed, header_too_large) use
/// this directly; everything else goes through the overload below.
http_response error_response(boost::beast::http::status status,
                             std::string_view error, std::string_view message);

/// error_response(http_status(f.code), to_string(f.code), f.message).
http_response error_response(const failure& f);

} // namespace sluice::signaling
