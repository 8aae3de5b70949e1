#pragma once

#include <cstdint>
#include <string>

namespace sluice::telemetry {

/// Threads of this process (entries in /proc/self/task).
int64_t process_threads();

/// Threads of this process whose name (/proc/self/task/*/comm) is `name`.
int64_t process_threads_named(const std::string& name);

/// Open file descriptors of this process (entries in /proc/self/fd).
int64_t process_fds();

} // namespace sluice::telemetry
