// Usage: sluice-bench-setup [--cycles N] [--warmup N] [--sluice PATH]
//          [--poll-ms MS] [--keep]
//
// Setup, teardown and takeover latency of one publish, in one process and
// one run, so every ratio compares numbers taken under the same load:
//   floor     webrtcbin publisher <-> bare pipelines::webrtc_ingest, SDP
//             passed in-process (no actors, no HTTP)
//   node      the same publisher -> a real sluice process over WHIP
//   takeover  publisher B POSTs a stream that publisher A holds live
// Each phase runs --warmup unmeasured cycles, then --cycles measured ones
// (defaults 2 and 20). VP8 + Opus, 320x240, loopback only. The node
// (--sluice, default: `sluice` next to this binary) is started here with an
// ephemeral port and a temporary record dir. Prints median and p90 per
// metric and the ratios; exit code 1 if any measured cycle failed.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "pipelines/webrtc_ingest.hpp"
#include "tools/publisher/webrtc_publisher.hpp"
#include "tools/publisher/whip_client.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using sluice::tools::http_request;
using sluice::tools::webrtc_publisher;
using json = nlohmann::json;
namespace fs = std::filesystem;

struct bench_options {
  int cycles = 20;
  int warmup = 2;
  fs::path sluice;
  std::chrono::milliseconds poll{5};
  bool keep = false;
};

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0)
    .count();
}

/// Samples of one metric, in milliseconds.
struct series {
  std::vector<double> ms;
  /// Nearest-rank percentile; NaN when empty.
  double pct(double p) const {
    if (ms.empty())
      return std::nan("");
    auto v = ms;
    std::sort(v.begin(), v.end());
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * v.size()));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
  }
  double median() const { return pct(50); }
};

/// Every metric by name; warmup cycles write into a scratch copy.
using metrics = std::map<std::string, series>;

std::unique_ptr<webrtc_publisher> make_publisher() {
  return std::make_unique<webrtc_publisher>(sluice::tools::publisher_options{
    .video_codec = "VP8", .audio = true, .width = 320, .height = 240,
    .fps = 15, .wait_for_gathering = true, .bind_address = "127.0.0.1"});
}

// Offers are created before the clock starts: publisher-side gathering is the
// same in every phase and not what this bench compares.
std::string make_offer(webrtc_publisher& pub) {
  auto offer = pub.create_offer(10s);
  if (!offer)
    throw std::runtime_error("publisher made no offer");
  return *offer;
}

// ---- floor: in-process ingest ------------------------------------------

/// The two ingest events the floor waits for, set from GStreamer threads.
struct floor_events {
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<sluice::result<std::string>> answer;
  bool track = false;
};

void floor_cycle(const fs::path& rec_dir, int n, metrics& m) {
  auto pub = make_publisher();
  auto offer = make_offer(*pub);
  auto ev = std::make_shared<floor_events>();
  sluice::pipelines::ingest_events cb;
  cb.on_answer = [ev](sluice::result<std::string> a) {
    std::lock_guard g{ev->mutex};
    ev->answer = std::move(a);
    ev->cv.notify_all();
  };
  cb.on_track = [ev](std::string, std::string) {
    std::lock_guard g{ev->mutex};
    ev->track = true;
    ev->cv.notify_all();
  };
  sluice::pipelines::ingest_settings s;
  s.stream_id = "floor";
  s.session_id = "floor-" + std::to_string(n);
  s.recordings_root = rec_dir;
  s.ice.bind_addresses = {"127.0.0.1"};

  // The clock covers what the node also does per publish: rewrite the
  // offer, build the pipeline, negotiate, gather.
  auto t0 = clock_type::now();
  auto prepared = sluice::pipelines::prepare_offer(offer);
  if (!prepared)
    throw std::runtime_error("prepare_offer: " + prepared.error().message);
  auto created = sluice::pipelines::webrtc_ingest::create(s, cb);
  if (!created)
    throw std::runtime_error("ingest create: " + created.error().message);
  auto ingest = std::move(*created);
  ingest->negotiate(*prepared);
  std::string answer;
  {
    std::unique_lock lock{ev->mutex};
    if (!ev->cv.wait_for(lock, 10s, [&] { return ev->answer.has_value(); }))
      throw std::runtime_error("no answer within 10s");
    if (!*ev->answer)
      throw std::runtime_error("answer: " + ev->answer->error().message);
    answer = **ev->answer;
  }
  m["floor offer->answer"].ms.push_back(ms_since(t0));
  if (!pub->set_answer(answer))
    throw std::runtime_error("publisher rejected the answer");
  {
    std::unique_lock lock{ev->mutex};
    if (!ev->cv.wait_for(lock, 10s, [&] { return ev->track; }))
      throw std::runtime_error("no media within 10s");
  }
  m["floor offer->first media"].ms.push_back(ms_since(t0));
  auto t1 = clock_type::now();
  ingest->close();
  m["floor close()"].ms.push_back(ms_since(t1));
}

// ---- node: a real sluice process ---------------------------------------

/// A sluice child process: stdout on a pipe (the ready line), stderr in a
/// file. Always killed and reaped by the destructor.
class node_process {
public:
  node_process(const fs::path& binary, const fs::path& dir) {
    int fds[2];
    auto log = (dir / "sluice.log").string();
    auto rec = (dir / "node-rec").string();
    // Opened before fork: GStreamer threads already run here, so the child
    // makes only async-signal-safe calls until exec.
    int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log_fd < 0 || pipe(fds) != 0 || (pid_ = fork()) < 0)
      throw std::runtime_error("cannot start sluice");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL); // a crashed bench leaves no node
      dup2(fds[1], 1);
      dup2(log_fd, 2);
      close_range(3, ~0U, 0); // our GStreamer sockets are not the node's
      execl(binary.c_str(), "sluice", "--http.port", "0", "--http.bind",
            "127.0.0.1", "--ice.bind", "127.0.0.1", "--record.dir",
            rec.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    close(log_fd);
    out_ = fds[0];
    // Bounded: read stdout until the ready line, for at most 20 s.
    std::string buf;
    auto deadline = clock_type::now() + 20s;
    std::string::size_type at;
    while ((at = buf.find("sluice ready http=")) == std::string::npos
           || buf.find('\n', at) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - clock_type::now());
      pollfd p{out_, POLLIN, 0};
      char chunk[256];
      ssize_t n = 0;
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0
          || (n = read(out_, chunk, sizeof chunk)) <= 0) {
        stop(SIGKILL); // the destructor does not run for a throwing ctor
        throw std::runtime_error("sluice printed no ready line; see " + log);
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    auto line = buf.substr(at, buf.find('\n', at) - at);
    base_ = "http://127.0.0.1:" + line.substr(line.rfind(':') + 1);
  }

  ~node_process() { stop(SIGTERM); }

  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;

  const std::string& base() const { return base_; }

  /// GET /debug/resources, parsed; throws unless 200.
  json resources() const {
    auto r = http_request("GET", base_ + "/debug/resources", {}, {}, 5s);
    if (r.status != 200)
      throw std::runtime_error("/debug/resources: HTTP "
                               + std::to_string(r.status));
    return json::parse(r.body);
  }

private:
  // `sig` first (SIGTERM lets the node finalize recordings), SIGKILL after
  // 10 s; always reaps.
  void stop(int sig) {
    kill(pid_, sig);
    bool reaped = false;
    for (int i = 0; i < 200; ++i) {
      if ((reaped = waitpid(pid_, nullptr, WNOHANG) == pid_))
        break;
      std::this_thread::sleep_for(50ms);
    }
    if (!reaped) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string base_;
};

/// One WHIP resource the bench created.
struct resource {
  std::string url;
  std::string session_id;
};

resource post(const node_process& node, const std::string& stream,
              webrtc_publisher& pub, const std::string& offer) {
  auto r = http_request("POST", node.base() + "/whip/" + stream, offer,
                        {{"Content-Type", "application/sdp"}}, 15s);
  if (r.status != 201)
    throw std::runtime_error("POST: HTTP " + std::to_string(r.status) + " "
                             + r.body);
  auto loc = r.headers["location"];
  if (loc.empty() || loc.front() != '/')
    throw std::runtime_error("201 without a path Location");
  if (!pub.set_answer(r.body))
    throw std::runtime_error("publisher rejected the answer");
  return {node.base() + loc, loc.substr(loc.rfind('/') + 1)};
}

// A tight poll: the node has no push channel for "live", and each poll is one
// HTTP request, so the reading overstates by up to one poll interval.
void wait_live(const node_process& node, const std::string& stream,
               const std::string& session_id, std::chrono::milliseconds poll) {
  auto deadline = clock_type::now() + 10s;
  while (clock_type::now() < deadline) {
    for (auto& s : node.resources().value("streams", json::array()))
      if (s.value("stream_id", "") == stream
          && s.value("session_id", "") == session_id
          && s.value("state", "") == "live")
        return;
    std::this_thread::sleep_for(poll);
  }
  throw std::runtime_error("stream " + stream + " not live within 10s");
}

void delete_resource(const resource& res) {
  auto r = http_request("DELETE", res.url, {}, {}, 15s);
  if (r.status != 200)
    throw std::runtime_error("DELETE: HTTP " + std::to_string(r.status));
}

long ended(const json& res, const std::string& reason) {
  auto e = res.value("sessions_ended", json::object());
  return e.value(reason, 0L);
}

// Cycles must not overlap: waits (bounded) until the node holds nothing.
void wait_idle(const node_process& node) {
  for (int i = 0; i < 500; ++i) {
    auto r = node.resources();
    if (r.value("sessions", -1) == 0 && r.value("gst_ingests", -1) == 0
        && r.value("directory_entries", -1) == 0)
      return;
    std::this_thread::sleep_for(10ms);
  }
  throw std::runtime_error("node not idle 5s after a cycle");
}

void node_cycle(const node_process& node, const bench_options& o,
                metrics& m) {
  auto pub = make_publisher();
  auto offer = make_offer(*pub);
  auto t0 = clock_type::now();
  auto res = post(node, "bench-node", *pub, offer);
  m["node POST->201"].ms.push_back(ms_since(t0));
  wait_live(node, "bench-node", res.session_id, o.poll);
  m["node POST->live"].ms.push_back(ms_since(t0));
  auto t1 = clock_type::now();
  delete_resource(res);
  m["node DELETE->200"].ms.push_back(ms_since(t1));
  pub.reset();
  wait_idle(node);
}

void takeover_cycle(const node_process& node, const bench_options& o,
                    metrics& m) {
  const std::string stream = "bench-takeover";
  auto before = ended(node.resources(), "takeover");
  auto a = make_publisher();
  auto a_res = post(node, stream, *a, make_offer(*a));
  wait_live(node, stream, a_res.session_id, o.poll);
  auto b = make_publisher();
  auto offer = make_offer(*b);
  auto t0 = clock_type::now();
  auto b_res = post(node, stream, *b, offer);
  m["takeover POST->201"].ms.push_back(ms_since(t0));
  wait_live(node, stream, b_res.session_id, o.poll);
  m["takeover POST->live"].ms.push_back(ms_since(t0));
  a.reset();
  delete_resource(b_res);
  b.reset();
  wait_idle(node);
  auto after = ended(node.resources(), "takeover");
  if (after != before + 1)
    throw std::runtime_error("sessions_ended.takeover went " +
                             std::to_string(before) + " -> " +
                             std::to_string(after) + ", expected +1");
}

// ---- driver --------------------------------------------------------------

/// Runs warmup + measured cycles of `cycle`; counts failures, never retries.
/// A failed cycle's partial samples are dropped with it.
int run_phase(const char* name, const bench_options& o, metrics& out,
              const std::function<void(int i, metrics&)>& cycle) {
  int failed = 0;
  for (int i = 0; i < o.warmup + o.cycles; ++i) {
    metrics one;
    try {
      cycle(i, one);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s cycle %d failed: %s\n", name, i, e.what());
      failed += i >= o.warmup;
      continue;
    }
    if (i >= o.warmup)
      for (auto& [k, v] : one)
        out[k].ms.insert(out[k].ms.end(), v.ms.begin(), v.ms.end());
  }
  return failed;
}

} // namespace

int main(int argc, char** argv) {
  bench_options o;
  o.sluice = fs::read_symlink("/proc/self/exe").parent_path() / "sluice";
  int poll_ms = 5;
  CLI::App app{"setup/teardown/takeover latency: floor vs node"};
  app.add_option("--cycles", o.cycles, "measured cycles per phase")
    ->check(CLI::Range(1, 1000));
  app.add_option("--warmup", o.warmup, "unmeasured cycles first")
    ->check(CLI::Range(0, 100));
  app.add_option("--sluice", o.sluice, "node binary")->check(CLI::ExistingFile);
  app.add_option("--poll-ms", poll_ms, "live poll interval")
    ->check(CLI::Range(1, 1000));
  app.add_flag("--keep", o.keep, "keep the temp dir (logs, recordings)");
  CLI11_PARSE(app, argc, argv);
  o.poll = std::chrono::milliseconds{poll_ms};
  // The floor's ingest logs every lifecycle step; the table is the output.
  spdlog::set_level(spdlog::level::warn);
  char tmpl[] = "/tmp/sluice-bench-setup.XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    return 1;
  }
  fs::path dir = tmpl;
  metrics m;
  int failed = 0;
  try {
    failed += run_phase("floor", o, m, [&](int i, metrics& one) {
      floor_cycle(dir / "floor-rec", i, one);
    });
    node_process node{o.sluice, dir};
    failed += run_phase("node", o, m, [&](int, metrics& one) {
      node_cycle(node, o, one);
    });
    failed += run_phase("takeover", o, m, [&](int, metrics& one) {
      takeover_cycle(node, o, one);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench aborted: %s\n", e.what());
    failed += 1;
  }

  std::printf("%-26s %4s %10s %10s\n", "metric (ms)", "n", "median", "p90");
  for (auto name : {"floor offer->answer", "floor offer->first media",
                    "floor close()", "node POST->201", "node POST->live",
                    "node DELETE->200", "takeover POST->201",
                    "takeover POST->live"})
    std::printf("%-26s %4zu %10.1f %10.1f\n", name, m[name].ms.size(),
                m[name].median(), m[name].pct(90));
  // Ratios hide a large shared fixed cost; the median difference shows it.
  std::printf("\n%-26s %15s %10s %14s\n", "ratio", "median", "p90",
              "median diff");
  auto ratio = [&](const char* name, const char* num, const char* den) {
    std::printf("%-26s %14.2fx %9.2fx %11.1f ms\n", name,
                m[num].median() / m[den].median(),
                m[num].pct(90) / m[den].pct(90),
                m[num].median() - m[den].median());
  };
  ratio("node/floor setup", "node POST->201", "floor offer->answer");
  ratio("node/floor first media", "node POST->live",
        "floor offer->first media");
  ratio("node/floor teardown", "node DELETE->200", "floor close()");
  ratio("takeover/node setup", "takeover POST->201", "node POST->201");
  // The takeover/node setup diff next to node DELETE->200: if the diff is
  // much larger, a takeover waits on more than the old session's teardown.
  std::printf("poll %lld ms; cycles %d (+%d warmup) per phase; failed %d\n",
              static_cast<long long>(o.poll.count()), o.cycles, o.warmup,
              failed);
  if (o.keep)
    std::fprintf(stderr, "kept %s\n", dir.c_str());
  else
    fs::remove_all(dir);
  return failed ? 1 : 0;
}
