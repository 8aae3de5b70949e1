#pragma once

// libnice setup for one webrtcbin: UDP only, no UPnP, explicit local
// addresses (so a loopback-only namespace still gathers), and a port range.

#include <string>
#include <vector>

#include <gst/gst.h>

#include "pipelines/result.hpp"
#include "pipelines/webrtc_ingest.hpp"

namespace sluice::pipelines {

/// Addresses of every up interface, loopback included; IPv4 first, then
/// IPv6 (link-local IPv6 left out: it needs a scope id libnice cannot take
/// from a plain address string).
std::vector<std::string> local_interface_addresses();

/// Configures the ICE agent of `webrtcbin`. Must run before the first
/// description is set (libnice reads these when streams are created).
/// Fails with ec::internal on an address that does not parse.
result<bool> configure_ice(GstElement* webrtcbin, const ice_settings& ice);

} // namespace sluice::pipelines
