// Publishing end to end: what gets recorded, and that every resource a
// session held is released when it ends, whether the client says goodbye
// (DELETE) or vanishes (SIGKILL).

#include <csignal>

#include "tests/fixtures/media_probe.hpp"
#include "tests/integration/support.hpp"

namespace sluice::it {

namespace {

// Publishes `codec` (+ Opus unless `audio` is false) for `seconds` with
// DELETE at the end, and returns the single recording it left.
std::filesystem::path publish_and_stop(node_process& node,
                                       const std::string& stream,
                                       const std::string& codec, bool audio,
                                       double seconds) {
  publish_args args;
  args.codec = codec;
  args.audio = audio;
  args.duration = seconds;
  auto pub = start_publisher(node, stream, args);
  REQUIRE(pub->wait_event("published", 15s));
  REQUIRE(pub->wait_event("connected", 15s));
  auto live = wait_live(node, stream);
  REQUIRE_MESSAGE(live.is_object(), node.resources().dump());
  CHECK(count(node.resources(), "directory_entries") == 1);
  auto ended = pub->wait_event("ended", std::chrono::milliseconds{
                                          static_cast<long>(seconds * 1000)}
                                          + 15s);
  REQUIRE(ended);
  CHECK((*ended)["status"] == 200);
  auto status = pub->process().wait_for(10s);
  REQUIRE(status);
  CHECK(status->describe() == "exit 0");
  auto files = recordings(node, stream);
  REQUIRE(files.size() == 1);
  CHECK(files[0].string() == live.value("recording", ""));
  return files[0];
}

} // namespace

TEST_CASE("VP8+Opus for 5 s then DELETE: 5 s of both tracks, all released") {
  auto node = start_node({{"session.media_timeout", "2s"}});
  auto baseline = settled_load(node);
  MESSAGE("baseline threads=" << baseline.threads << " fds=" << baseline.fds);
  auto file = publish_and_stop(node, "cam1", "VP8", true, 5.0);

  REQUIRE(wait_until([&] { return idle(node.resources()); }, 5s));
  auto r = node.resources();
  check_idle(r);
  CHECK(count(r, "sessions_started") == 1);
  CHECK(count(r, "sessions_ended/client_stop") == 1);
  CHECK(count(r, "sessions_ended/client_gone") == 0);

  // Back to the baseline, except for the singletons the first session
  // created (see thread_slack and fd_slack).
  bool back = wait_until(
    [&] {
      auto now = node.resources();
      return count(now, "fds") <= baseline.fds + fd_slack
             && count(now, "threads") <= baseline.threads + thread_slack;
    },
    10s);
  auto after = node.resources();
  INFO("baseline threads=" << baseline.threads << " fds=" << baseline.fds
                           << "; after threads=" << count(after, "threads")
                           << " fds=" << count(after, "fds"));
  CHECK(back);

  auto info = fixtures::probe_file(file);
  REQUIRE_MESSAGE(info.ok, info.error);
  auto video = info.find("video");
  auto audio = info.find("audio");
  REQUIRE(video);
  REQUIRE(audio);
  CHECK(video->caps_name == "video/x-vp8");
  CHECK(audio->caps_name == "audio/x-opus");
  MESSAGE("recorded video " << video->duration_s() << " s ("
                            << video->buffers << " buffers), audio "
                            << audio->duration_s() << " s");
  CHECK(video->duration_s() >= 4.0);
  CHECK(video->duration_s() <= 6.0);
  CHECK(audio->duration_s() >= 4.0);
  CHECK(audio->duration_s() <= 6.0);
}

TEST_CASE("H264 publish records an H264 track") {
  auto node = start_node({{"session.media_timeout", "2s"}});
  auto file = publish_and_stop(node, "h264cam", "H264", false, 3.0);
  REQUIRE(wait_until([&] { return idle(node.resources()); }, 5s));
  check_idle(node.resources());
  auto info = fixtures::probe_file(file);
  REQUIRE_MESSAGE(info.ok, info.error);
  auto video = info.find("video");
  REQUIRE(video);
  CHECK(video->caps_name == "video/x-h264");
  CHECK(video->buffers > 10);
  CHECK(video->duration_s() >= 2.0);
  CHECK_FALSE(info.find("audio"));
}

TEST_CASE("publisher killed with SIGKILL: released within media_timeout") {
  constexpr auto media_timeout = 2s;
  auto node = start_node({{"session.media_timeout", "2s"}});
  auto pub = start_publisher(node, "gone", {});
  REQUIRE(pub->wait_event("connected", 15s));
  REQUIRE(wait_live(node, "gone").is_object());
  // Let media flow so the node has seen packets before they stop.
  std::this_thread::sleep_for(1s);
  auto killed_at = std::chrono::steady_clock::now();
  pub->process().kill9();
  bool released = wait_until([&] { return idle(node.resources()); },
                             media_timeout + 3s, 20ms);
  auto took = fixtures::seconds_since(killed_at);
  REQUIRE(released);
  MESSAGE("released " << took << " s after SIGKILL");
  CHECK(took <= std::chrono::duration<double>(media_timeout + 1s).count());
  auto r = node.resources();
  check_idle(r);
  CHECK(count(r, "sessions_ended/client_gone") == 1);
  CHECK(count(r, "sessions_ended/client_stop") == 0);
  auto files = recordings(node, "gone");
  REQUIRE(files.size() == 1);
  auto info = fixtures::probe_file(files[0]);
  REQUIRE_MESSAGE(info.ok, info.error);
  REQUIRE(info.find("video"));
  CHECK(info.find("video")->duration_s() >= 0.5);
}

} // namespace sluice::it
