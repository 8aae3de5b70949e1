#pragma once

// Settings of the HTTP edge (WHIP, health probes, demo page). app/ fills them
// from the YAML file, SLUICE_* variables and flags.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice::signaling {

/// Settings of one http_server.
struct http_config {
  /// The address to listen on; "0.0.0.0" or "::" for all interfaces.
  std::string bind = "0.0.0.0";
  /// The TCP port; 0 picks an ephemeral port (start() returns it).
  uint16_t port = 8080;
  /// The largest accepted request body; bigger requests get 413.
  std::size_t max_body_bytes = 64 * 1024;
  /// The number of worker threads running the server's io_context.
  std::size_t threads = 1;
  /// How long a connection may sit idle between requests, and the longest
  /// a request may wait for the node's answer before it gets 504.
  std::chrono::seconds idle_timeout{30};
  /// The Access-Control-Allow-Origin value on every WHIP response.
  std::string cors_origin = "*";
};

} // namespace sluice::signaling
