#include "tests/integration/support.hpp"

#include <algorithm>
#include <sstream>
#include <thread>

namespace sluice::it {

std::unique_ptr<publisher_process> start_publisher(const node_process& node,
                                                   const std::string& stream,
                                                   publish_args args) {
  static int counter = 0;
  args.url = node.url("/whip/" + stream);
  auto log = node.dir() / ("publish-" + std::to_string(++counter) + ".log");
  return std::make_unique<publisher_process>(
    fixtures::publisher_binary(node_binary()), std::move(args), log);
}

long count(const json& resources, const std::string& path) {
  const json* at = &resources;
  std::istringstream parts{path};
  std::string key;
  while (std::getline(parts, key, '/')) {
    if (!at->is_object() || !at->contains(key))
      return -1;
    at = &(*at)[key];
  }
  return at->is_number_integer() ? at->get<long>() : -1;
}

namespace {

constexpr const char* idle_counters[] = {
  "sessions", "pipelines", "health_checks", "directory_entries",
  "gst_ingests"};

} // namespace

bool idle(const json& resources) {
  return std::all_of(std::begin(idle_counters), std::end(idle_counters),
                     [&](const char* k) { return count(resources, k) == 0; });
}

void check_idle(const json& resources) {
  for (const char* k : idle_counters) {
    INFO("counter " << k << " in " << resources.dump());
    CHECK(count(resources, k) == 0);
  }
  // Not in the published contract, but when the node reports sessions that
  // quit without their children, none may be left (-1: not reported).
  INFO("frozen_sessions in " << resources.dump());
  CHECK(count(resources, "frozen_sessions") <= 0);
}

process_load settled_load(const node_process& node,
                          std::chrono::milliseconds stable_for,
                          std::chrono::milliseconds timeout) {
  auto sample = [&] {
    auto r = node.resources();
    return process_load{count(r, "threads"), count(r, "fds")};
  };
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto last = sample();
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(stable_for);
    auto now = sample();
    if (now.threads == last.threads && now.fds == last.fds)
      return now;
    last = now;
  }
  return last;
}

json stream_entry(const json& resources, const std::string& stream) {
  if (!resources.contains("streams") || !resources["streams"].is_array())
    return nullptr;
  for (const auto& s : resources["streams"])
    if (s.value("stream_id", "") == stream)
      return s;
  return nullptr;
}

json wait_live(const node_process& node, const std::string& stream,
               std::chrono::milliseconds timeout,
               const std::string& other_than_session) {
  json found = nullptr;
  wait_until(
    [&] {
      auto e = stream_entry(node.resources(), stream);
      if (e.is_object() && e.value("state", "") == "live"
          && e.value("session_id", "") != other_than_session) {
        found = e;
        return true;
      }
      return false;
    },
    timeout);
  return found;
}

std::vector<std::filesystem::path> recordings(const node_process& node,
                                              const std::string& stream) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator(node.record_dir() / stream, ec))
    if (e.path().extension() == ".mkv")
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

uintmax_t file_size_or_zero(const std::filesystem::path& file) {
  std::error_code ec;
  auto n = std::filesystem::file_size(file, ec);
  return ec ? 0 : n;
}

std::string error_name(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("error")
      || !j["error"].is_string())
    return {};
  return j["error"].get<std::string>();
}

} // namespace sluice::it
