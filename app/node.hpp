#pragma once

// Wires one node together: GStreamer, the actor system with the supervisor,
// and the HTTP edge. run() blocks until SIGINT or SIGTERM, then shuts down in
// the documented order (docs/closures.md): drain, end sessions with
// node_shutdown, stop HTTP, stop the actors.

#include "app/config.hpp"

namespace sluice::app {

/// Runs the node until a termination signal; returns the process exit code.
/// Blocks SIGINT/SIGTERM in the calling thread (call it before any other
/// thread starts, so every thread inherits the mask).
int run_node(const node_config& cfg);

} // namespace sluice::app
