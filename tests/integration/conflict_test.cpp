// Two publishes of one stream id: takeover (the default) replaces the live
// session, reject answers 409.

#include <atomic>
#include <climits>
#include <csignal>
#include <thread>

#include "tests/integration/support.hpp"
#include "tools/publisher/whip_session.hpp"

namespace sluice::it {

namespace {

// Samples directory_entries on its own thread while the main thread drives
// the test, to catch a moment with 0 or 2 entries for one stream id.
class directory_sampler {
public:
  explicit directory_sampler(std::string base_url)
    : base_url_(std::move(base_url)), thread_([this] { run(); }) {
  }

  ~directory_sampler() {
    finish();
  }

  void finish() {
    running_ = false;
    if (thread_.joinable())
      thread_.join();
  }

  long min() const { return min_; }
  long max() const { return max_; }
  int samples() const { return samples_; }

private:
  void run() {
    while (running_) {
      long n = -1;
      try {
        n = count(fixtures::fetch_resources(base_url_), "directory_entries");
      } catch (const std::exception&) {
        // A failed fetch counts as an impossible value, so it fails the test.
      }
      min_ = std::min(min_.load(), n);
      max_ = std::max(max_.load(), n);
      ++samples_;
      std::this_thread::sleep_for(20ms);
    }
  }

  std::string base_url_;
  std::atomic<bool> running_{true};
  std::atomic<long> min_{LONG_MAX};
  std::atomic<long> max_{LONG_MIN};
  std::atomic<int> samples_{0};
  std::thread thread_;
};

} // namespace

TEST_CASE("takeover: a second publish replaces the live session") {
  auto node = start_node({{"session.media_timeout", "2s"}});
  auto first = start_publisher(node, "cam", {});
  REQUIRE(first->wait_event("connected", 15s));
  auto live1 = wait_live(node, "cam");
  REQUIRE(live1.is_object());
  auto first_session = live1.value("session_id", "");

  directory_sampler sampler{node.base_url()};
  auto second = start_publisher(node, "cam", {});
  REQUIRE(second->wait_event("published", 15s));
  REQUIRE(second->wait_event("connected", 15s));
  auto live2 = wait_live(node, "cam", 10s, first_session);
  REQUIRE_MESSAGE(live2.is_object(), node.resources().dump());
  CHECK(live2.value("generation", 0L) > live1.value("generation", 0L));
  CHECK(wait_until(
    [&] { return count(node.resources(), "sessions_ended/takeover") == 1; },
    5s));
  auto r = node.resources();
  CHECK(count(r, "sessions") == 1);
  CHECK(count(r, "pipelines") == 1);
  CHECK(count(r, "gst_ingests") == 1);
  CHECK(count(r, "directory_entries") == 1);
  CHECK(count(r, "sessions_ended/takeover") == 1);

  // The new session records into its own file, and the file grows.
  auto recording = live2.value("recording", "");
  CHECK(recording != live1.value("recording", ""));
  auto size_before = file_size_or_zero(recording);
  CHECK(wait_until(
    [&] { return file_size_or_zero(recording) > size_before + 1000; }, 5s));

  // Stop sampling before the DELETE, which rightly takes the entry away.
  sampler.finish();
  INFO("directory_entries over " << sampler.samples() << " samples");
  CHECK(sampler.samples() > 10);
  CHECK(sampler.min() == 1);
  CHECK(sampler.max() == 1);

  // SIGTERM makes sluice-publish send DELETE.
  second->process().signal(SIGTERM);
  auto ended = second->wait_event("ended", 10s);
  REQUIRE(ended);
  CHECK((*ended)["status"] == 200);

  REQUIRE(wait_until([&] { return idle(node.resources()); }, 5s));
  r = node.resources();
  check_idle(r);
  CHECK(count(r, "sessions_started") == 2);
  CHECK(count(r, "sessions_ended/takeover") == 1);
  CHECK(count(r, "sessions_ended/client_stop") == 1);
  first->process().kill9();
  CHECK(recordings(node, "cam").size() == 2);
}

TEST_CASE("on_conflict=reject: a second publish gets 409 stream_in_use") {
  auto node = start_node({{"session.on_conflict", "reject"},
                          {"session.media_timeout", "2s"}});
  auto first = start_publisher(node, "solo", {});
  REQUIRE(first->wait_event("connected", 15s));
  auto live = wait_live(node, "solo");
  REQUIRE(live.is_object());

  tools::whip_session second{tools::whip_options{}};
  auto out = second.publish(node.url("/whip/solo"));
  CHECK_FALSE(out.ok);
  CHECK(out.status == 409);
  CHECK(error_name(out.response.body) == "stream_in_use");
  CHECK(out.response.headers["content-type"] == "application/json");

  // The first session is untouched.
  auto still = stream_entry(node.resources(), "solo");
  REQUIRE(still.is_object());
  CHECK(still.value("session_id", "") == live.value("session_id", ""));
  CHECK(still.value("state", "") == "live");
  CHECK(count(node.resources(), "directory_entries") == 1);

  first->process().signal(SIGTERM);
  auto ended = first->wait_event("ended", 10s);
  REQUIRE(ended);
  CHECK((*ended)["status"] == 200);
  REQUIRE(wait_until([&] { return idle(node.resources()); }, 5s));
  auto r = node.resources();
  check_idle(r);
  CHECK(count(r, "sessions_ended/client_stop") == 1);
  CHECK(count(r, "sessions_ended/takeover") == 0);
}

} // namespace sluice::it
