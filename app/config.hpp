#pragma once

// Node configuration. One table (config_keys in config.cpp) lists every key
// with its default and meaning; layers apply in this order, later wins:
// defaults, the YAML file (--config), SLUICE_* environment variables
// (http.port -> SLUICE_HTTP_PORT), command-line flags (--http.port 8080).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "actors/directory.hpp"
#include "actors/health.hpp"
#include "pipelines/result.hpp"
#include "pipelines/webrtc_ingest.hpp"
#include "signaling/http_config.hpp"

namespace sluice::app {

struct node_config {
  std::string node_id;
  signaling::http_config http;
  pipelines::ice_settings ice;
  bool record = true;
  std::filesystem::path record_dir = "recordings";
  std::chrono::milliseconds finalize_timeout{2'000};
  session_timeouts timeouts;
  directory_config directory;
  std::size_t max_sessions = 0;
  std::string log_level = "info";
};

/// Outcome of reading the command line: either a config to run, or a text
/// to print (help) and an exit code.
struct parsed_command_line {
  node_config config;
  bool exit_now = false;
  int exit_code = 0;
  std::string message;
};

/// Parses argv with the environment and an optional YAML file. Errors name
/// the key and the offending value.
parsed_command_line parse_command_line(int argc, char** argv);

/// Parses durations like "250ms", "5s", "1.5s", "2m".
result<std::chrono::milliseconds> parse_duration(const std::string& text);

} // namespace sluice::app
