#include "app/config.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <sstream>

#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

namespace sluice::app {

namespace {

struct config_key {
  const char* name;
  const char* default_value;
  const char* help;
};

// The one list of settings. README.md documents the same table.
const config_key config_keys[] = {
  {"node.id", "", "node name in logs and, later, the cluster (default: hostname)"},
  {"http.bind", "0.0.0.0", "address of the HTTP server (WHIP, demo, probes)"},
  {"http.port", "8080", "port of the HTTP server; 0 picks a free one"},
  {"http.max_body_bytes", "65536", "largest accepted request body"},
  {"http.threads", "2", "HTTP I/O threads"},
  {"ice.bind", "", "comma list of local addresses to gather on; empty = all up interfaces incl. loopback"},
  {"ice.announce", "", "address written into host candidates instead (NAT 1:1)"},
  {"ice.min_port", "0", "lowest UDP port for media; 0 = any"},
  {"ice.max_port", "0", "highest UDP port for media; 0 = any"},
  {"record.enabled", "true", "record every publish to Matroska"},
  {"record.dir", "recordings", "recordings go to <dir>/<stream>/<utc>-<session>.mkv"},
  {"record.finalize_timeout", "2s", "how long closing waits for the recording to finalize"},
  {"session.connect_timeout", "10s", "ICE must connect within this"},
  {"session.media_timeout", "5s", "no RTP for this long ends the session (client_gone)"},
  {"session.ice_disconnected_grace", "3s", "ICE may stay disconnected this long"},
  {"session.gather_timeout", "2s", "the answer waits at most this long for ICE gathering"},
  {"session.close_timeout", "5s", "children must exit within this when a session closes"},
  {"session.takeover_wait", "2s", "an old owner gets this long to stop before it is killed"},
  {"session.on_conflict", "takeover", "a publish of a live stream id: takeover or reject (409)"},
  {"session.max_sessions", "0", "refuse publishes beyond this many sessions; 0 = unlimited"},
  {"log.level", "info", "trace, debug, info, warn, error"},
};

std::string env_name(const std::string& key) {
  std::string out = "SLUICE_";
  for (char c : key)
    out += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

// Flattens nested YAML maps to dotted keys ("http: {port: 1}" -> http.port).
void flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  if (node.IsMap()) {
    for (auto it : node)
      flatten(it.second,
              prefix.empty() ? it.first.as<std::string>()
                             : prefix + "." + it.first.as<std::string>(),
              out);
  } else if (node.IsSequence()) {
    std::string joined;
    for (auto item : node)
      joined += (joined.empty() ? "" : ",") + item.as<std::string>();
    out[prefix] = joined;
  } else if (node.IsScalar()) {
    out[prefix] = node.as<std::string>();
  }
}

struct converter {
  std::map<std::string, std::string>& values;
  std::vector<std::string> errors;

  const std::string& raw(const char* key) { return values.at(key); }

  void bad(const char* key, const std::string& why) {
    errors.push_back(std::string{key} + "=\"" + raw(key) + "\": " + why);
  }

  uint64_t number(const char* key, uint64_t max) {
    auto& v = raw(key);
    char* end = nullptr;
    errno = 0;
    auto n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || n > max || v[0] == '-') {
      bad(key, "expected a whole number up to " + std::to_string(max));
      return 0;
    }
    return n;
  }

  bool boolean(const char* key) {
    auto& v = raw(key);
    if (v == "true" || v == "1" || v == "yes" || v == "on")
      return true;
    if (v == "false" || v == "0" || v == "no" || v == "off")
      return false;
    bad(key, "expected true or false");
    return false;
  }

  std::chrono::milliseconds duration(const char* key) {
    auto d = parse_duration(raw(key));
    if (!d) {
      bad(key, d.error().message);
      return {};
    }
    return *d;
  }

  std::vector<std::string> list(const char* key) {
    std::vector<std::string> out;
    std::stringstream in{raw(key)};
    for (std::string item; std::getline(in, item, ',');)
      if (!item.empty())
        out.push_back(item);
    return out;
  }
};

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0)
    return "sluice";
  return buf;
}

} // namespace

result<std::chrono::milliseconds> parse_duration(const std::string& text) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  std::string unit{end ? end : ""};
  if (text.empty() || end == text.c_str() || value < 0)
    return failure{ec::bad_request, "expected a duration like 500ms or 5s"};
  double ms = 0;
  if (unit == "ms")
    ms = value;
  else if (unit == "s")
    ms = value * 1000;
  else if (unit == "m")
    ms = value * 60'000;
  else
    return failure{ec::bad_request, "expected a unit: ms, s or m"};
  return std::chrono::milliseconds{static_cast<int64_t>(ms)};
}

parsed_command_line parse_command_line(int argc, char** argv) {
  parsed_command_line out;
  std::map<std::string, std::string> values;
  for (auto& k : config_keys)
    values[k.name] = k.default_value;

  CLI::App cli{"sluice: a WebRTC ingest node. Every key below can also be "
               "set in the YAML file given by --config and through the "
               "environment (http.port -> SLUICE_HTTP_PORT); flags win over "
               "the environment, which wins over the file."};
  std::string config_file;
  cli.add_option("--config", config_file, "YAML configuration file");
  std::map<std::string, std::string> flags;
  for (auto& k : config_keys) {
    auto help = std::string{k.help} + " [default: "
                + (k.default_value[0] ? k.default_value : "\"\"") + "]";
    cli.add_option(std::string{"--"} + k.name, flags[k.name], help);
  }
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream msg;
    out.exit_code = cli.exit(e, msg, msg);
    out.message = msg.str();
    out.exit_now = true;
    return out;
  }
  if (!config_file.empty()) {
    try {
      std::map<std::string, std::string> from_file;
      flatten(YAML::LoadFile(config_file), "", from_file);
      for (auto& [key, value] : from_file) {
        if (!values.count(key)) {
          out.exit_now = true;
          out.exit_code = 2;
          out.message = config_file + ": unknown key \"" + key + "\"\n";
          return out;
        }
        values[key] = value;
      }
    } catch (const YAML::Exception& e) {
      out.exit_now = true;
      out.exit_code = 2;
      out.message = config_file + ": " + e.what() + "\n";
      return out;
    }
  }
  for (auto& k : config_keys)
    if (auto env = std::getenv(env_name(k.name).c_str()))
      values[k.name] = env;
  for (auto& k : config_keys)
    if (cli.count(std::string{"--"} + k.name) > 0)
      values[k.name] = flags[k.name];

  converter cv{values, {}};
  auto& c = out.config;
  c.node_id = values["node.id"].empty() ? hostname() : values["node.id"];
  c.http.bind = values["http.bind"];
  c.http.port = static_cast<uint16_t>(cv.number("http.port", 65535));
  c.http.max_body_bytes = cv.number("http.max_body_bytes", 64 << 20);
  c.http.threads = std::max<uint64_t>(1, cv.number("http.threads", 64));
  c.ice.bind_addresses = cv.list("ice.bind");
  c.ice.announce_address = values["ice.announce"];
  c.ice.min_port = static_cast<uint16_t>(cv.number("ice.min_port", 65535));
  c.ice.max_port = static_cast<uint16_t>(cv.number("ice.max_port", 65535));
  if (c.ice.min_port > c.ice.max_port)
    cv.bad("ice.min_port", "must not exceed ice.max_port");
  c.record = cv.boolean("record.enabled");
  c.record_dir = values["record.dir"];
  c.finalize_timeout = cv.duration("record.finalize_timeout");
  c.timeouts.connect = cv.duration("session.connect_timeout");
  c.timeouts.media = cv.duration("session.media_timeout");
  c.timeouts.ice_disconnected_grace
    = cv.duration("session.ice_disconnected_grace");
  c.timeouts.gather = cv.duration("session.gather_timeout");
  c.timeouts.close = cv.duration("session.close_timeout");
  c.directory.takeover_wait = cv.duration("session.takeover_wait");
  auto& conflict = values["session.on_conflict"];
  if (conflict == "takeover")
    c.directory.on_conflict = conflict_policy::takeover;
  else if (conflict == "reject")
    c.directory.on_conflict = conflict_policy::reject;
  else
    cv.bad("session.on_conflict", "expected takeover or reject");
  c.max_sessions = cv.number("session.max_sessions", 1'000'000);
  c.log_level = values["log.level"];
  if (c.timeouts.close <= c.finalize_timeout)
    cv.bad("session.close_timeout", "must exceed record.finalize_timeout");
  if (!cv.errors.empty()) {
    out.exit_now = true;
    out.exit_code = 2;
    for (auto& e : cv.errors)
      out.message += "invalid setting " + e + "\n";
  }
  return out;
}

} // namespace sluice::app
