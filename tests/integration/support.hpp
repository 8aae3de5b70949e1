#pragma once

// Shared helpers for the integration suite: where the binaries are, reading
// /debug/resources, and the assertions every case ends with.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/fixtures/node_process.hpp"
#include "tests/fixtures/publisher_process.hpp"
#include "tests/fixtures/wait.hpp"

namespace sluice::it {

using namespace std::chrono_literals;
using fixtures::node_options;
using fixtures::node_process;
using fixtures::publish_args;
using fixtures::publisher_process;
using fixtures::wait_until;
using json = nlohmann::json;

/// The node binary under test (compile definition of integration_tests).
inline std::filesystem::path node_binary() {
  return SLUICE_BINARY;
}

/// Starts a node with `flags` over the test defaults.
inline node_process
start_node(std::map<std::string, std::string> flags = {}) {
  node_options opts;
  opts.flags = std::move(flags);
  return node_process{node_binary(), std::move(opts)};
}

/// Starts sluice-publish against `node` for `stream`; its stderr goes to
/// <node dir>/publish-<n>.log.
std::unique_ptr<publisher_process> start_publisher(const node_process& node,
                                                   const std::string& stream,
                                                   publish_args args = {});

/// An integer field of /debug/resources (nested with '/', e.g.
/// "sessions_ended/client_gone"); -1 if absent, so a missing field fails.
long count(const json& resources, const std::string& path);

/// True if sessions, pipelines, health checks, directory entries and
/// GStreamer ingests are all zero.
bool idle(const json& resources);

/// CHECKs each of the counters idle() looks at, so a failure names it.
void check_idle(const json& resources);

/// What the node keeps after its first session ended, above the baseline
/// taken before the first publish, measured with strace and /proc: process-
/// wide GLib/GStreamer singletons that are created on first use and never
/// freed. The churn test proves the slack is bounded: 50 more sessions leave
/// no more threads or fds than one did.
///
/// Threads: the GstSystemClock thread, plus up to 2 idle GThreadPool workers
/// ("pool-sluice"; GLib keeps max_unused_threads = 2 by default).
inline constexpr long thread_slack = 3;
/// fds: none. (libgstwebrtcnice creates GLib's default GMainContext, an
/// eventfd, on first use; the node creates it at startup instead.)
inline constexpr long fd_slack = 0;

/// Threads and fds of the node once it stopped changing.
struct process_load {
  long threads = 0;
  long fds = 0;
};

/// Samples /debug/resources until threads and fds are equal in samples
/// `stable_for` apart (bounded by `timeout`), and returns them.
process_load settled_load(const node_process& node,
                          std::chrono::milliseconds stable_for = 1000ms,
                          std::chrono::milliseconds timeout = 15s);

/// The entry of `stream` in resources["streams"], or null.
json stream_entry(const json& resources, const std::string& stream);

/// Waits until `stream` is listed with state "live"; returns the entry
/// (null on timeout).
json wait_live(const node_process& node, const std::string& stream,
               std::chrono::milliseconds timeout = 10s,
               const std::string& other_than_session = {});

/// All .mkv files under <record dir>/<stream>, oldest name first.
std::vector<std::filesystem::path> recordings(const node_process& node,
                                              const std::string& stream);

/// Size of `file`, 0 if it does not exist.
uintmax_t file_size_or_zero(const std::filesystem::path& file);

/// The error field of a JSON error body, or "" if the body is not one.
std::string error_name(const std::string& body);

} // namespace sluice::it
