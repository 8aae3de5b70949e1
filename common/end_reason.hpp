#pragma once

// Every session ends with exactly one of these as its actor exit reason.
// CAF-free so edges and logs can name them; actors/errors.hpp registers it.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice {

/// Why a session ended. Values start at 1 because CAF reserves 0.
enum class end_reason : uint8_t {
  /// The client asked to stop: WHIP DELETE or Ant Media `stop`.
  client_stop = 1,
  /// The client closed the transport: DTLS close_notify or RTCP BYE.
  client_closed,
  /// The client vanished: ICE failed, consent expired, or no media for
  /// `media_timeout`.
  client_gone,
  /// ICE/DTLS did not connect within `connect_timeout`.
  connect_timeout,
  /// A newer publish of the same stream id replaced this session.
  takeover,
  /// The GStreamer pipeline reported an error.
  pipeline_error,
  /// The health actor judged the session broken (e.g. pipeline unresponsive).
  unhealthy,
  /// An operator stopped the session through the admin API.
  admin_stop,
  /// The node is draining before a planned shutdown.
  drain,
  /// The node is shutting down.
  node_shutdown,
  /// The node that owned the session left the cluster.
  node_lost,
};

/// Returns the enumerator name, e.g. "client_gone".
const char* to_string(end_reason reason) noexcept;

/// Parses an enumerator name; nullopt for anything else.
std::optional<end_reason> parse_end_reason(std::string_view name) noexcept;

/// All reasons in declaration order, for metrics labels and exhaustive tests.
inline constexpr end_reason all_end_reasons[] = {
  end_reason::client_stop,   end_reason::client_closed,
  end_reason::client_gone,   end_reason::connect_timeout,
  end_reason::takeover,      end_reason::pipeline_error,
  end_reason::unhealthy,     end_reason::admin_stop,
  end_reason::drain,         end_reason::node_shutdown,
  end_reason::node_lost,
};

} // namespace sluice
