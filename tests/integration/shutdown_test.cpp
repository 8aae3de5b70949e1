// The node going away during a live publish: SIGTERM must end sessions in
// order and finalize recordings; even SIGKILL must leave a readable file.

#include <thread>

#include "tests/fixtures/media_probe.hpp"
#include "tests/integration/support.hpp"

namespace sluice::it {

TEST_CASE("kill -9 of the node while recording leaves a readable file") {
  auto node = start_node();
  auto pub = start_publisher(node, "crash", {});
  REQUIRE(pub->wait_event("connected", 15s));
  auto live = wait_live(node, "crash");
  REQUIRE(live.is_object());
  std::filesystem::path recording = live.value("recording", "");
  REQUIRE_FALSE(recording.empty());
  // Streamable Matroska is written as it goes; give it 2.5 s of media.
  std::this_thread::sleep_for(2500ms);
  auto status = node.kill9();
  CHECK(status.describe() == "signal 9");
  pub->process().kill9();

  auto info = fixtures::probe_file(recording);
  REQUIRE_MESSAGE(info.ok, info.error);
  auto video = info.find("video");
  REQUIRE(video);
  MESSAGE("video in the unfinalized file: " << video->duration_s() << " s");
  CHECK(video->duration_s() >= 1.0);
}

TEST_CASE("SIGTERM during a live publish: exit 0, finalized recording") {
  auto node = start_node();
  auto pub = start_publisher(node, "term", {});
  REQUIRE(pub->wait_event("connected", 15s));
  auto live = wait_live(node, "term");
  REQUIRE(live.is_object());
  std::filesystem::path recording = live.value("recording", "");
  std::this_thread::sleep_for(2s);

  auto stopped = node.stop();
  MESSAGE("node stopped in " << stopped.took.count() << " ms");
  CHECK_FALSE(stopped.forced);
  CHECK(stopped.status.describe() == "exit 0");
  pub->process().kill9();

  auto info = fixtures::probe_file(recording);
  REQUIRE_MESSAGE(info.ok, info.error);
  auto video = info.find("video");
  auto audio = info.find("audio");
  REQUIRE(video);
  REQUIRE(audio);
  CHECK(video->duration_s() >= 1.5);
  CHECK(audio->duration_s() >= 1.5);
  // The session's lifecycle line names its end reason
  // ("session term/<id> ended reason=node_shutdown after=2.1s").
  auto log = node.log();
  CHECK(log.find("session term/" + live.value("session_id", "")
                 + " ended reason=node_shutdown")
        != std::string::npos);
}

} // namespace sluice::it
