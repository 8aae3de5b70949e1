#pragma once

// The request and response types shared by the server and the route handlers.

#include <functional>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace sluice::signaling {

/// A complete HTTP request; the body is bounded by http_config::max_body_bytes.
using http_request =
  boost::beast::http::request<boost::beast::http::string_body>;

/// A complete HTTP response. The connection sets version, keep-alive and
/// Content-Length, so handlers only fill status, headers and body.
using http_response =
  boost::beast::http::response<boost::beast::http::string_body>;

/// Delivers the response to one request. Callable from any thread; the
/// connection posts it back onto its own strand. Only the first call counts.
using responder = std::function<void(http_response)>;

} // namespace sluice::signaling
