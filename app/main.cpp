// sluice: a WebRTC ingest node. See README.md; `sluice --help` lists every
// setting with its default.

#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/config.hpp"
#include "app/node.hpp"

int main(int argc, char** argv) {
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
