#pragma once

// A small WHIP client (RFC 9725) over plain HTTP/1.1 on Boost.Beast, for
// tests and the sluice-publish tool.

#include <chrono>
#include <map>
#include <string>

namespace sluice::tools {

struct http_response {
  int status = 0; ///< 0 if the connection failed.
  std::map<std::string, std::string> headers; ///< Lower-case names.
  std::string body;
};

/// One blocking HTTP request. `url` is http://host:port/path.
http_response http_request(const std::string& method, const std::string& url,
                           const std::string& body = {},
                           const std::map<std::string, std::string>& headers
                           = {},
                           std::chrono::milliseconds timeout
                           = std::chrono::seconds{10});

} // namespace sluice::tools
