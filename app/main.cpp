// sluice: a WebRTC ingest node. See README.md; `sluice --help` lists every
// setting with its default.

#include <cstdio>
#include <cstdlib>

#include <malloc.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/config.hpp"
#include "app/node.hpp"

int main(int argc, char** argv) {
  // glibc gives threads that contend for malloc arenas of their own, up to
  // 8 per core, and hands little of an arena back to the system. A node
  // starts and stops many GStreamer threads per publish, so RSS creeps up:
  // scripts/bench-cycles.sh measured 3-4x more RSS growth per publish cycle
  // with glibc's default (16 arenas on 2 cores) than with 2, e.g. +27 against
  // +7 KiB per cycle over 100 cycles (BENCHMARKS.md). Set before any thread
  // exists; an explicit MALLOC_ARENA_MAX in the environment wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr)
    mallopt(M_ARENA_MAX, 2);
  auto parsed = sluice::app::parse_command_line(argc, argv);
  if (parsed.exit_now) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  // Logs go to stderr; stdout carries only the machine-readable ready line.
  auto logger = spdlog::stderr_color_mt("sluice");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(parsed.config.log_level));
  return sluice::app::run_node(parsed.config);
}
