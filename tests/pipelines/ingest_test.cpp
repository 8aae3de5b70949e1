#include <sstream>
#include <thread>

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include "tests/fixtures/media_probe.hpp"
#include "tests/pipelines/harness.hpp"

using namespace sluice;
using namespace sluice::test;
using pipelines::ice_state;

namespace {

// Waits until both the ingest saw `kinds` tracks (on_track) or 5 s passed.
bool wait_tracks(session& s, std::vector<std::string> kinds) {
  return s.log->wait(5s, [&] {
    for (auto& k : kinds)
      if (!s.log->has_track(k))
        return false;
    return true;
  });
}

std::string sdp_line(const std::string& sdp, const std::string& prefix) {
  auto pos = sdp.find(prefix);
  return pos == std::string::npos ? ""
                                  : sdp.substr(pos, sdp.find("\r\n", pos) - pos);
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in{line};
  for (std::string w; in >> w;)
    words.push_back(w);
  return words;
}

std::chrono::milliseconds timed_close(pipelines::webrtc_ingest& ingest) {
  auto t0 = std::chrono::steady_clock::now();
  ingest.close();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - t0);
}

} // namespace

TEST_CASE("VP8 and opus publish is received and counted and recorded") {
  auto s = connect({}, settings("cam1", "vp8opus"));
  REQUIRE_MESSAGE(s.error.empty(), s.error);
  MESSAGE("negotiate -> answer took " << s.negotiate_time.count() << " ms");
  REQUIRE(wait_tracks(s, {"audio", "video"}));
  {
    std::lock_guard guard{s.log->mutex};
    CHECK(s.log->track_kinds.size() == 2);
    CHECK(s.log->errors.empty());
  }
  std::this_thread::sleep_for(3s);
  auto stats = s.ingest->stats();
  CHECK(stats.rtp_packets > 100);
  CHECK(stats.rtp_bytes > 10000);
  REQUIRE(stats.since_last_media);
  CHECK(*stats.since_last_media < 500ms);
  CHECK((stats.ice == ice_state::connected || stats.ice == ice_state::completed));
  CHECK(stats.dtls_connected);
  auto path = s.ingest->recording_path();
  CHECK(path.is_absolute());
  CHECK(path.parent_path().filename() == "cam1");
  auto took = timed_close(*s.ingest);
  MESSAGE("close() took " << took.count() << " ms");
  CHECK(took < 2500ms);
  auto info = fixtures::probe_file(path);
  REQUIRE_MESSAGE(info.ok, info.error);
  auto* video = info.find("video");
  auto* audio = info.find("audio");
  REQUIRE(video != nullptr);
  REQUIRE(audio != nullptr);
  CHECK(video->caps_name == "video/x-vp8");
  CHECK(audio->caps_name == "audio/x-opus");
  MESSAGE("video " << video->duration_s() << " s, audio " << audio->duration_s()
                   << " s");
  CHECK(video->duration_s() == doctest::Approx(3.0).epsilon(0.7 / 3.0));
  CHECK(audio->duration_s() == doctest::Approx(3.0).epsilon(0.7 / 3.0));

  // What kill -9 leaves behind: the same file cut at an arbitrary byte.
  auto cut = path.parent_path() / "cut.mkv";
  std::filesystem::copy_file(path, cut);
  std::filesystem::resize_file(cut, std::filesystem::file_size(path) * 6 / 10);
  auto partial = fixtures::probe_file(cut);
  REQUIRE_MESSAGE(partial.ok, partial.error);
  REQUIRE(partial.find("video") != nullptr);
  CHECK(partial.find("video")->duration_s() > 1.0);
}

TEST_CASE("H264 video-only publish is recorded as H264") {
  tools::publisher_options pub;
  pub.video_codec = "H264";
  pub.audio = false;
  auto s = connect(pub, settings("cam2", "h264"));
  REQUIRE_MESSAGE(s.error.empty(), s.error);
  REQUIRE(wait_tracks(s, {"video"}));
  {
    std::lock_guard guard{s.log->mutex};
    CHECK(s.log->codecs == std::vector<std::string>{"H264"});
  }
  std::this_thread::sleep_for(1500ms);
  auto path = s.ingest->recording_path();
  s.ingest->close();
  auto info = fixtures::probe_file(path);
  REQUIRE_MESSAGE(info.ok, info.error);
  REQUIRE(info.tracks.size() == 1);
  CHECK(info.tracks[0].caps_name == "video/x-h264");
  CHECK(info.tracks[0].buffers > 10);
}

TEST_CASE("trickled candidates (sdpfrag) connect an offer without candidates") {
  tools::publisher_options pub;
  pub.wait_for_gathering = false;
  pub.audio = false;
  tools::webrtc_publisher publisher{pub};
  auto offer = publisher.create_offer(5s);
  REQUIRE(offer);
  CHECK(offer->find("a=candidate") == std::string::npos);
  auto prepared = pipelines::prepare_offer(*offer);
  REQUIRE(prepared);
  auto log = std::make_shared<event_log>();
  auto ing = settings("cam3", "trickle", false);
  ing.ice.bind_addresses = {"127.0.0.1"};
  ing.ice.min_port = 41000;
  ing.ice.max_port = 41010;
  auto ingest = pipelines::webrtc_ingest::create(ing, event_log::bind(log));
  REQUIRE(ingest);
  auto& in = **ingest;
  in.negotiate(*prepared);
  REQUIRE(log->wait(5s, [&] { return log->answer.has_value(); }));
  REQUIRE(*log->answer);
  auto cand = sdp_line(**log->answer, "a=candidate:");
  auto words = split(cand);
  REQUIRE(words.size() >= 8);
  CHECK(words[4] == "127.0.0.1");
  CHECK(std::stoi(words[5]) >= 41000);
  CHECK(std::stoi(words[5]) <= 41010);
  CHECK(!in.local_ufrag().empty());
  CHECK(in.remote_ufrag() == publisher.ice_ufrag());
  REQUIRE(publisher.set_answer(**log->answer));
  REQUIRE(publisher.wait_gathering_complete(5s));
  auto cands = publisher.take_new_candidates();
  REQUIRE(!cands.empty());
  std::string body = "a=ice-ufrag:" + publisher.ice_ufrag() + "\r\na=ice-pwd:"
                     + publisher.ice_pwd() + "\r\n";
  std::string mid;
  for (auto& c : cands) {
    if (c.mid != mid) {
      mid = c.mid;
      body += "m=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:" + mid + "\r\n";
    }
    body += "a=" + c.line + "\r\n";
  }
  body += "a=end-of-candidates\r\n";
  auto frag = pipelines::parse_sdpfrag(body);
  REQUIRE_MESSAGE(frag, body);
  auto added = in.add_remote_candidates(*frag);
  REQUIRE_MESSAGE(added, added.error().message);
  CHECK(publisher.wait_connected(5s));
  CHECK(log->wait(5s, [&] { return log->ice_connected(); }));
  CHECK(log->wait(5s, [&] { return log->has_track("video"); }));

  SUBCASE("a changed ufrag is an ICE restart, an unknown mid a bad request") {
    auto restart = pipelines::parse_sdpfrag(
      "a=ice-ufrag:other\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:" + mid
      + "\r\na=candidate:1 1 UDP 2122252543 127.0.0.1 50000 typ host\r\n");
    REQUIRE(restart);
    auto r = in.add_remote_candidates(*restart);
    REQUIRE(!r);
    CHECK(r.error().code == ec::ice_restart_unsupported);
    auto unknown = pipelines::parse_sdpfrag(
      "m=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:nope\r\n"
      "a=candidate:1 1 UDP 2122252543 127.0.0.1 50000 typ host\r\n");
    REQUIRE(unknown);
    auto u = in.add_remote_candidates(*unknown);
    REQUIRE(!u);
    CHECK(u.error().code == ec::bad_request);
  }
  in.close();
}

TEST_CASE("close() is idempotent and silences every callback") {
  auto s = connect({}, settings("cam4", "close", true));
  REQUIRE_MESSAGE(s.error.empty(), s.error);
  REQUIRE(wait_tracks(s, {"video"}));
  s.ingest->close();
  auto events = s.log->num_events.load();
  s.ingest->close();
  // The publisher keeps sending and then loses its peer: any callback that
  // survived close() would show up here.
  s.publisher.reset();
  std::this_thread::sleep_for(1s);
  CHECK(s.log->num_events.load() == events);
  CHECK(!s.ingest->local_description());
  auto frag = pipelines::parse_sdpfrag("a=end-of-candidates\r\n");
  REQUIRE(frag);
  CHECK(!s.ingest->add_remote_candidates(*frag));
  s.ingest.reset();
}

TEST_CASE("a publisher that vanishes silently is only seen by media silence") {
  auto s = connect({}, settings("cam6", "vanish", false));
  REQUIRE_MESSAGE(s.error.empty(), s.error);
  REQUIRE(wait_tracks(s, {"video"}));
  s.publisher.reset();
  std::this_thread::sleep_for(1500ms);
  auto stats = s.ingest->stats();
  REQUIRE(stats.since_last_media);
  CHECK(*stats.since_last_media >= 1000ms);
  {
    std::lock_guard guard{s.log->mutex};
    CHECK(s.log->client_closed == 0);
    std::string states;
    for (auto st : s.log->ice)
      states += std::string{pipelines::to_string(st)} + " ";
    MESSAGE("ice states seen: " << states);
  }
  s.ingest->close();
}

TEST_CASE("an offer with a data channel and an AV1-only m-line is answered") {
  tools::webrtc_publisher publisher{{}};
  auto offer = publisher.create_offer(5s);
  REQUIRE(offer);
  auto creds = sdp_line(*offer, "a=ice-ufrag:") + "\r\n"
               + sdp_line(*offer, "a=ice-pwd:") + "\r\n"
               + sdp_line(*offer, "a=fingerprint:") + "\r\n";
  auto extended = *offer
    + "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"
      "c=IN IP4 0.0.0.0\r\na=bundle-only\r\na=mid:dc\r\n" + creds
    + "a=setup:actpass\r\na=sctp-port:5000\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 45\r\nc=IN IP4 0.0.0.0\r\na=mid:av1\r\n"
    + creds + "a=setup:actpass\r\na=recvonly\r\na=rtcp-mux\r\n"
      "a=rtpmap:45 AV1/90000\r\n";
  auto group = sdp_line(extended, "a=group:BUNDLE");
  extended.replace(extended.find(group), group.size(), group + " dc av1");
  auto prepared = pipelines::prepare_offer(extended);
  REQUIRE_MESSAGE(prepared, prepared.error().message);
  auto log = std::make_shared<event_log>();
  auto ingest = pipelines::webrtc_ingest::create(settings("cam7", "dc"),
                                                 event_log::bind(log));
  REQUIRE(ingest);
  (*ingest)->negotiate(*prepared);
  REQUIRE(log->wait(5s, [&] { return log->answer.has_value(); }));
  REQUIRE_MESSAGE(*log->answer, log->answer->error().message);
  auto& answer = **log->answer;
  size_t mlines = 0;
  for (size_t pos = 0; (pos = answer.find("\nm=", pos)) != std::string::npos; ++pos)
    ++mlines;
  CHECK(mlines == 4);
  CHECK(answer.find("m=application") != std::string::npos);
  // webrtcbin 1.22 answers the port-0 m-line as inactive (still bundled),
  // which the client accepts since its own offer had it active.
  CHECK(answer.find("a=inactive") != std::string::npos);
  (*ingest)->close();
}
