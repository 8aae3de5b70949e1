// Trickle ICE through WHIP PATCH (RFC 9725 section 4.3, RFC 8840 bodies).

#include <thread>

#include "tests/fixtures/media_probe.hpp"
#include "tests/integration/support.hpp"
#include "tools/publisher/whip_session.hpp"

namespace sluice::it {

TEST_CASE("trickle: candidate-less offer plus PATCH connects and records") {
  auto node = start_node({{"session.media_timeout", "2s"}});
  tools::whip_options opts;
  opts.trickle = true;
  tools::whip_session session{opts};
  auto out = session.publish(node.url("/whip/trickled"));
  REQUIRE_MESSAGE(out.ok, out.error);
  CHECK(session.offer_sdp().find("a=candidate") == std::string::npos);
  CHECK(session.candidates_sent() > 0);
  CHECK_FALSE(session.etag().empty());
  REQUIRE(session.publisher().wait_connected(10s));
  auto live = wait_live(node, "trickled");
  REQUIRE_MESSAGE(live.is_object(), node.resources().dump());
  auto recording = live.value("recording", "");

  { // A PATCH naming another ETag in If-Match is 412.
    auto frag = tools::make_sdpfrag(session.offer_sdp(),
                                    session.publisher().ice_ufrag(),
                                    session.publisher().ice_pwd(), {}, true);
    auto res = session.patch(frag, "\"not-the-etag\"");
    CHECK(res.status == 412);
    CHECK(error_name(res.body) == "etag_mismatch");
    // The session is not disturbed by the rejected PATCH.
    auto still = stream_entry(node.resources(), "trickled");
    CHECK(still.value("state", "") == "live");
  }

  // Media keeps arriving: the recording grows past a second of video.
  auto size_before = file_size_or_zero(recording);
  CHECK(wait_until(
    [&] { return file_size_or_zero(recording) > size_before + 1000; }, 5s));
  std::this_thread::sleep_for(1500ms);
  auto stopped = session.stop();
  CHECK(stopped.status == 200);
  REQUIRE(wait_until([&] { return idle(node.resources()); }, 5s));
  auto r = node.resources();
  check_idle(r);
  CHECK(count(r, "sessions_ended/client_stop") == 1);

  auto info = fixtures::probe_file(recording);
  REQUIRE_MESSAGE(info.ok, info.error);
  auto video = info.find("video");
  REQUIRE(video);
  CHECK(video->duration_s() >= 1.0);
}

} // namespace sluice::it
