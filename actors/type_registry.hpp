#pragma once

#include <caf/actor_system_config.hpp>

namespace sluice {

/// Registers every message type and error category of sluice with a CAF
/// config. Call it before constructing the actor_system, in the node and in
/// tests alike.
void register_sluice_types(caf::actor_system_config& cfg);

} // namespace sluice
