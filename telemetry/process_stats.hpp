#pragma once

#include <cstdint>

namespace sluice::telemetry {

/// Threads of this process (entries in /proc/self/task).
int64_t process_threads();

/// Open file descriptors of this process (entries in /proc/self/fd).
int64_t process_fds();

} // namespace sluice::telemetry
