// Hostile and broken requests against a running node: each gets the right
// status and a JSON error, and none leaves anything behind.

#include "tests/integration/support.hpp"
#include "tools/publisher/whip_session.hpp"

namespace sluice::it {

namespace {

// A well-formed offer with one data channel and nothing else.
constexpr const char* application_only_sdp
  = "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=ice-ufrag:Kx1b\r\n"
    "a=ice-pwd:3bVz0k4PjxRQJ3lG7dQm1c2A\r\n"
    "a=fingerprint:sha-256 "
    "5B:3D:11:2F:8E:9A:62:0C:4A:1D:77:E0:55:B6:93:28:"
    "C4:0E:1F:7A:26:DB:84:39:AF:52:6E:01:9C:B7:3D:F8\r\n"
    "a=setup:actpass\r\n"
    "a=sctp-port:5000\r\n";

struct bad_request {
  std::string name;
  std::string method;
  std::string path;
  std::string content_type;
  std::string body;
  int status;
  std::string error; ///< Expected "error" field.
};

} // namespace

TEST_CASE("bad input: right status, JSON error, nothing left behind") {
  auto node = start_node({{"http.max_body_bytes", "65536"}});
  // A real offer, so only the one thing each request gets wrong is wrong.
  tools::webrtc_publisher offerer{tools::publisher_options{}};
  auto offer = offerer.create_offer(10s);
  REQUIRE(offer);
  std::string oversized = *offer;
  while (oversized.size() <= 70000)
    oversized += "a=x-padding:" + std::string(100, 'p') + "\r\n";
  const std::string sdp = "application/sdp";
  const std::string frag = "application/trickle-ice-sdpfrag";

  const std::vector<bad_request> cases{
    {"malformed SDP", "POST", "/whip/bad", sdp, "this is not SDP\r\n", 400,
     "malformed_sdp"},
    // Once crashed the node: the parser skips an m-line the text has.
    {"m-line the parser skips", "POST", "/whip/bad", sdp,
     *offer + "m=video\r\n", 400, "malformed_sdp"},
    {"no audio or video", "POST", "/whip/bad", sdp, application_only_sdp, 400,
     "no_media"},
    {"dot-dot stream id", "POST", "/whip/../x", sdp, *offer, 400,
     "invalid_stream_id"},
    {"percent-encoded dot-dot", "POST", "/whip/..%2Fx", sdp, *offer, 400,
     "invalid_stream_id"},
    {"percent-encoded dots", "POST", "/whip/%2E%2E%2Fx", sdp, *offer, 400,
     "invalid_stream_id"},
    {"empty stream id", "POST", "/whip/", sdp, *offer, 400,
     "invalid_stream_id"},
    {"300-char stream id", "POST", "/whip/" + std::string(300, 'a'), sdp,
     *offer, 400, "invalid_stream_id"},
    {"wrong content type", "POST", "/whip/bad", "text/plain", *offer, 415,
     "unsupported_media_type"},
    {"body over the limit", "POST", "/whip/bad", sdp, oversized, 413,
     "payload_too_large"},
    {"PATCH unknown resource", "PATCH", "/whip/bad/no-such-session", frag,
     "a=end-of-candidates\r\n", 404, "unknown_session"},
    {"DELETE unknown resource", "DELETE", "/whip/bad/no-such-session", "", "",
     404, "unknown_session"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    std::map<std::string, std::string> headers;
    if (!c.content_type.empty())
      headers["Content-Type"] = c.content_type;
    auto res = tools::http_request(c.method, node.url(c.path), c.body, headers);
    INFO("answer " << res.status << " " << res.body);
    CHECK(res.status == c.status);
    CHECK(res.headers["content-type"].rfind("application/json", 0) == 0);
    CHECK(error_name(res.body) == c.error);
  }

  auto health = tools::http_request("GET", node.url("/healthz"));
  CHECK(health.status == 200);
  auto r = node.resources();
  check_idle(r);
  CHECK(count(r, "sessions_started") == 0);
  // Nothing reached the filesystem, least of all outside the record dir.
  CHECK_FALSE(std::filesystem::exists(node.record_dir() / "bad"));
  CHECK_FALSE(std::filesystem::exists(node.dir() / "x"));
  CHECK_FALSE(std::filesystem::exists(node.record_dir() / "x"));

  // Still fully working: a real publish goes live and ends cleanly.
  tools::whip_session session{tools::whip_options{}};
  auto out = session.publish(node.url("/whip/after"));
  REQUIRE_MESSAGE(out.ok, out.error);
  REQUIRE(session.publisher().wait_connected(10s));
  CHECK(wait_live(node, "after").is_object());
  CHECK(session.stop().status == 200);
  CHECK(wait_until([&] { return idle(node.resources()); }, 5s));
}

} // namespace sluice::it
