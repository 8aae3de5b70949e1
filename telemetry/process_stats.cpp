#include "telemetry/process_stats.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

namespace sluice::telemetry {

namespace {

int64_t count_entries(const char* dir, int64_t correction) {
  std::error_code err;
  int64_t n = 0;
  for (std::filesystem::directory_iterator i{dir, err}, end; !err && i != end;
       i.increment(err))
    ++n;
  return err ? -1 : n - correction;
}

} // namespace

int64_t process_threads() {
  return count_entries("/proc/self/task", 0);
}

int64_t process_threads_named(const std::string& name) {
  std::error_code err;
  int64_t n = 0;
  for (std::filesystem::directory_iterator i{"/proc/self/task", err}, end;
       !err && i != end; i.increment(err)) {
    std::ifstream comm{i->path() / "comm"};
    std::string line;
    if (std::getline(comm, line) && line == name)
      ++n;
  }
  return n;
}

int64_t process_fds() {
  // The directory iterator holds one fd of its own while it counts.
  return count_entries("/proc/self/fd", 1);
}

} // namespace sluice::telemetry
