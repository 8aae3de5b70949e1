// Configuration layering: defaults < YAML file < SLUICE_* environment <
// flags, with errors that name the key.

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "app/config.hpp"

using namespace sluice;

namespace {

app::parsed_command_line parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  static std::string prog = "sluice";
  argv.push_back(prog.data());
  for (auto& a : args)
    argv.push_back(a.data());
  return app::parse_command_line(static_cast<int>(argv.size()), argv.data());
}

std::string write_yaml(const std::string& text) {
  auto path = std::string{"/tmp/sluice-config-test-"}
              + std::to_string(::getpid()) + ".yaml";
  std::ofstream{path} << text;
  return path;
}

} // namespace

TEST_CASE("defaults match the documented table") {
  auto p = parse({});
  REQUIRE_FALSE(p.exit_now);
  CHECK(p.config.http.port == 8080);
  CHECK(p.config.http.bind == "0.0.0.0");
  CHECK(p.config.record);
  CHECK(p.config.timeouts.media == std::chrono::seconds{5});
  CHECK(p.config.timeouts.connect == std::chrono::seconds{10});
  CHECK(p.config.directory.takeover_wait == std::chrono::seconds{2});
  CHECK(p.config.directory.on_conflict == conflict_policy::takeover);
  CHECK(p.config.ice.bind_addresses.empty());
}

TEST_CASE("flags beat the environment, which beats the file") {
  auto file = write_yaml("http:\n  port: 1111\n  bind: 127.0.0.2\n"
                         "session:\n  media_timeout: 3s\n"
                         "ice:\n  bind: [127.0.0.1, 127.0.0.3]\n");
  ::setenv("SLUICE_HTTP_PORT", "2222", 1);
  ::setenv("SLUICE_SESSION_ON_CONFLICT", "reject", 1);
  auto p = parse({"--config", file, "--http.port", "3333"});
  ::unsetenv("SLUICE_HTTP_PORT");
  ::unsetenv("SLUICE_SESSION_ON_CONFLICT");
  REQUIRE_FALSE(p.exit_now);
  CHECK(p.config.http.port == 3333);
  CHECK(p.config.http.bind == "127.0.0.2");
  CHECK(p.config.timeouts.media == std::chrono::seconds{3});
  CHECK(p.config.directory.on_conflict == conflict_policy::reject);
  CHECK(p.config.ice.bind_addresses
        == std::vector<std::string>{"127.0.0.1", "127.0.0.3"});
  std::remove(file.c_str());
}

TEST_CASE("bad values and unknown keys are refused with the key's name") {
  auto p = parse({"--http.port", "70000"});
  CHECK(p.exit_now);
  CHECK(p.exit_code != 0);
  CHECK(p.message.find("http.port") != std::string::npos);
  p = parse({"--session.media_timeout", "soon"});
  CHECK(p.exit_now);
  CHECK(p.message.find("session.media_timeout") != std::string::npos);
  p = parse({"--session.on_conflict", "merge"});
  CHECK(p.exit_now);
  auto file = write_yaml("htp:\n  port: 1\n");
  p = parse({"--config", file});
  CHECK(p.exit_now);
  CHECK(p.message.find("htp.port") != std::string::npos);
  std::remove(file.c_str());
}

TEST_CASE("--help lists every key with its default and exits 0") {
  auto p = parse({"--help"});
  CHECK(p.exit_now);
  CHECK(p.exit_code == 0);
  for (auto key : {"http.port", "record.dir", "session.media_timeout",
                   "session.on_conflict", "ice.announce", "log.level"})
    CHECK(p.message.find(key) != std::string::npos);
  CHECK(p.message.find("[default: 5s]") != std::string::npos);
}
