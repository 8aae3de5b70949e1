#include <doctest/doctest.h>

#include "pipelines/sdp.hpp"

using namespace sluice;
using namespace sluice::pipelines;

namespace {

// A Chromium-like offer (hand-written): audio with opus, RED and telephone
// events; video with VP8, VP9, H264 (two profiles), AV1, each with RTX.
const char* chromium_like_offer =
  "v=0\r\n"
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "t=0 0\r\n"
  "a=group:BUNDLE 0 1\r\n"
  "a=msid-semantic: WMS stream\r\n"
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 126\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=rtcp:9 IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:abcd\r\n"
  "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
  "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
  "a=setup:actpass\r\n"
  "a=mid:0\r\n"
  "a=sendonly\r\n"
  "a=rtcp-mux\r\n"
  "a=rtpmap:111 opus/48000/2\r\n"
  "a=rtcp-fb:111 transport-cc\r\n"
  "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
  "a=rtpmap:63 red/48000/2\r\n"
  "a=fmtp:63 111/111\r\n"
  "a=rtpmap:126 telephone-event/8000\r\n"
  "a=ssrc:1001 cname:x\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 102 103 127 121 45 46\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:abcd\r\n"
  "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
  "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
  "a=setup:actpass\r\n"
  "a=mid:1\r\n"
  "a=sendonly\r\n"
  "a=rtcp-mux\r\n"
  "a=rtcp-fb:* transport-cc\r\n"
  "a=rtpmap:96 VP8/90000\r\n"
  "a=rtcp-fb:96 nack\r\n"
  "a=rtpmap:97 rtx/90000\r\n"
  "a=fmtp:97 apt=96\r\n"
  "a=rtpmap:98 VP9/90000\r\n"
  "a=fmtp:98 profile-id=0\r\n"
  "a=rtpmap:99 rtx/90000\r\n"
  "a=fmtp:99 apt=98\r\n"
  "a=rtpmap:102 H264/90000\r\n"
  "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
  "a=rtpmap:103 rtx/90000\r\n"
  "a=fmtp:103 apt=102\r\n"
  "a=rtpmap:127 H264/90000\r\n"
  "a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f\r\n"
  "a=rtpmap:121 rtx/90000\r\n"
  "a=fmtp:121 apt=127\r\n"
  "a=rtpmap:45 AV1/90000\r\n"
  "a=rtpmap:46 rtx/90000\r\n"
  "a=fmtp:46 apt=45\r\n"
  "a=ssrc-group:FID 2001 2002\r\n"
  "a=ssrc:2001 cname:x\r\n"
  "a=ssrc:2002 cname:x\r\n";

std::string replace_all(std::string s, const std::string& from,
                        const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos;
       pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("prepare_offer keeps H264/VP8/VP9/opus and drops the rest") {
  auto prepared = prepare_offer(chromium_like_offer);
  REQUIRE(prepared);
  CHECK(contains(*prepared, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"));
  CHECK(contains(*prepared, "m=video 9 UDP/TLS/RTP/SAVPF 96 98 102 127\r\n"));
  for (auto gone : {"red/", "telephone-event", "rtx/", "AV1", "apt=",
                    "ssrc-group", "a=ssrc:2002"})
    CHECK_MESSAGE(!contains(*prepared, gone), gone);
  CHECK(contains(*prepared, "a=rtcp-fb:* transport-cc"));
  CHECK(contains(*prepared, "a=ssrc:2001 cname:x"));
  auto summary = summarize_offer(*prepared);
  REQUIRE(summary);
  REQUIRE(summary->mlines.size() == 2);
  CHECK(summary->mlines[0].kind == "audio");
  CHECK(summary->mlines[1].mid == "1");
  CHECK(summary->ice_ufrag == "abcd");
}

TEST_CASE("prepare_offer accepts LF line endings") {
  auto prepared = prepare_offer(replace_all(chromium_like_offer, "\r\n", "\n"));
  CHECK(prepared);
}

TEST_CASE("prepare_offer rejects garbage and no media and unsupported codecs") {
  auto garbage = prepare_offer("hello world\n");
  REQUIRE(!garbage);
  CHECK(garbage.error().code == ec::malformed_sdp);
  CHECK(prepare_offer("").error().code == ec::malformed_sdp);

  std::string offer = chromium_like_offer;
  auto no_fp = prepare_offer(replace_all(offer, "a=fingerprint", "a=x-fp"));
  CHECK(no_fp.error().code == ec::malformed_sdp);
  auto no_ufrag = prepare_offer(replace_all(offer, "a=ice-ufrag", "a=x-uf"));
  CHECK(no_ufrag.error().code == ec::malformed_sdp);

  auto head = offer.substr(0, offer.find("m=audio"));
  std::string creds =
    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
    "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n";
  auto app_only = head
    + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
      "c=IN IP4 0.0.0.0\r\na=mid:0\r\na=sctp-port:5000\r\n" + creds;
  auto no_media = prepare_offer(app_only);
  REQUIRE(!no_media);
  CHECK(no_media.error().code == ec::no_media);

  auto av1_only = head
    + "m=video 9 UDP/TLS/RTP/SAVPF 45\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
      "a=rtpmap:45 AV1/90000\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 9\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"
      "a=rtpmap:9 G722/8000\r\n" + creds;
  auto unsupported = prepare_offer(av1_only);
  REQUIRE(!unsupported);
  CHECK(unsupported.error().code == ec::unsupported_codec);
}

TEST_CASE("prepare_offer rejects an unsupported m-line and unbundles it") {
  std::string offer = chromium_like_offer;
  auto video_av1 = offer.substr(0, offer.find("a=rtpmap:96")) // keep header
                   + "a=rtpmap:45 AV1/90000\r\n";
  video_av1 = replace_all(video_av1, "96 97 98 99 102 103 127 121 45 46", "45");
  auto prepared = prepare_offer(video_av1);
  REQUIRE(prepared);
  CHECK(contains(*prepared, "m=video 0 UDP/TLS/RTP/SAVPF 45"));
  CHECK(contains(*prepared, "a=group:BUNDLE 0\r\n"));
}

TEST_CASE("parse_sdpfrag reads RFC 8840 bodies and rejects garbage") {
  auto frag = parse_sdpfrag(
    "a=ice-ufrag:abcd\na=ice-pwd:secret\nm=audio 9 UDP/TLS/RTP/SAVPF 0\n"
    "a=mid:0\na=candidate:1 1 UDP 2122252543 127.0.0.1 50000 typ host\n"
    "a=end-of-candidates\n");
  REQUIRE(frag);
  CHECK(frag->ice_ufrag == "abcd");
  REQUIRE(frag->candidates.size() == 1);
  CHECK(frag->candidates[0].mid == "0");
  CHECK(frag->candidates[0].line
        == "candidate:1 1 UDP 2122252543 127.0.0.1 50000 typ host");
  CHECK(frag->end_of_candidates);

  for (auto bad : {"", "garbage", "hello\r\nworld\r\n", "v=0\r\n",
                   "m=audio 9 X 0\r\na=candidate:1 1 UDP\r\n",
                   "a=candidate:1 1 UDP 1 127.0.0.1 5 typ host\r\n"}) {
    auto r = parse_sdpfrag(bad);
    CHECK_MESSAGE(!r, bad);
    if (!r)
      CHECK(r.error().code == ec::bad_request);
  }
}

TEST_CASE("announce_host_candidates rewrites host candidates and c= lines") {
  auto out = announce_host_candidates(
    "v=0\r\nc=IN IP4 0.0.0.0\r\n"
    "a=candidate:1 1 UDP 2122252543 10.0.0.5 50000 typ host\r\n"
    "a=candidate:2 1 UDP 2122252543 ::1 50002 typ host\r\n"
    "a=candidate:3 1 UDP 1686052607 1.2.3.4 50000 typ srflx raddr 10.0.0.5 rport 50000\r\n",
    "203.0.113.7");
  CHECK(contains(out, "c=IN IP4 203.0.113.7\r\n"));
  CHECK(contains(out, "2122252543 203.0.113.7 50000 typ host"));
  CHECK(contains(out, "::1 50002 typ host"));
  CHECK(contains(out, "1.2.3.4 50000 typ srflx"));
}
