// Hostile input for the two parsers that see raw client text before any
// pipeline exists: prepare_offer (the WHIP POST body) and parse_sdpfrag
// (the PATCH body). Thousands of deterministic mutations of valid bodies
// must each end in a value or a failure with a request-error code: never a
// crash, a hang, or ec::internal. Offers that pass prepare_offer then go to
// a real webrtcbin, which must answer or fail, and close, without crashing.

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <arpa/inet.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "pipelines/gst/init.hpp"
#include "pipelines/sdp.hpp"
#include "pipelines/webrtc_ingest.hpp"

using namespace sluice;
using namespace sluice::pipelines;

namespace {

const char* valid_offer =
  "v=0\r\n"
  "o=- 1 2 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "t=0 0\r\n"
  "a=group:BUNDLE 0 1\r\n"
  "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:abcd\r\n"
  "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
  "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
  "a=setup:actpass\r\n"
  "a=mid:0\r\n"
  "a=sendonly\r\n"
  "a=rtcp-mux\r\n"
  "a=rtpmap:111 opus/48000/2\r\n"
  "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:abcd\r\n"
  "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
  "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
  "a=setup:actpass\r\n"
  "a=mid:1\r\n"
  "a=sendonly\r\n"
  "a=rtcp-mux\r\n"
  "a=rtpmap:96 VP8/90000\r\n"
  "a=rtpmap:97 rtx/90000\r\n"
  "a=fmtp:97 apt=96\r\n"
  "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n";

const char* valid_frag =
  "a=ice-ufrag:abcd\r\n"
  "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
  "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
  "a=mid:0\r\n"
  "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n"
  "a=end-of-candidates\r\n";

// One random edit: flip, insert, delete, truncate, duplicate or drop a line,
// or splice in a byte that parsers tend to mishandle.
std::string mutate(std::string s, std::mt19937& rng) {
  static const char nasty[] = {'\0', '\r', '\n', ':', ' ', '=', '/', '\xff',
                               '%', '-'};
  auto pick = [&](size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>{0, n - 1}(rng);
  };
  switch (pick(7)) {
    case 0:
      if (!s.empty())
        s[pick(s.size())] ^= static_cast<char>(1 << pick(8));
      break;
    case 1:
      s.insert(s.begin() + pick(s.size() + 1), nasty[pick(sizeof(nasty))]);
      break;
    case 2:
      if (!s.empty())
        s.erase(pick(s.size()), 1 + pick(16));
      break;
    case 3:
      s.resize(pick(s.size() + 1));
      break;
    case 4: {
      auto at = s.find('\n', pick(s.size()));
      if (at != std::string::npos) {
        auto next = s.find('\n', at + 1);
        if (next != std::string::npos)
          s.insert(at + 1, s.substr(at + 1, next - at));
      }
      break;
    }
    case 5: {
      auto at = s.find('\n', pick(s.size()));
      if (at != std::string::npos) {
        auto next = s.find('\n', at + 1);
        s.erase(at + 1, next == std::string::npos ? std::string::npos
                                                  : next - at);
      }
      break;
    }
    default:
      s.insert(pick(s.size() + 1), std::string(pick(300), 'a'));
      break;
  }
  return s;
}

// `seed` after `edits` random edits.
std::string mutated(const char* seed, int edits, std::mt19937& rng) {
  std::string s{seed};
  for (; edits > 0; --edits)
    s = mutate(std::move(s), rng);
  return s;
}

// True if every candidate in `frag` names a literal IPv4 address in
// 127.0.0.0/8. A mutation can turn 127.0.0.1 into a public address or a
// host name; webrtcbin would then send checks to, or resolve, something
// outside this machine, which tests must never do.
bool loopback_candidate(const std::string& line) {
  std::istringstream in{line};
  std::string word, address;
  for (int i = 0; i < 5 && in >> word; ++i)
    address = word;
  in_addr parsed{};
  return inet_pton(AF_INET, address.c_str(), &parsed) == 1
         && (ntohl(parsed.s_addr) >> 24) == 127;
}

bool loopback_only(const sdpfrag& frag) {
  for (auto& c : frag.candidates)
    if (!loopback_candidate(c.line))
      return false;
  return true;
}

// The same rule for every line of an offer that mentions a candidate.
bool loopback_only(const std::string& offer) {
  std::istringstream in{offer};
  for (std::string line; std::getline(in, line);)
    if (line.find("candidate") != std::string::npos
        && !loopback_candidate(line))
      return false;
  return true;
}

} // namespace

TEST_CASE("mutated offers end in a prepared offer or a request error") {
  REQUIRE(prepare_offer(valid_offer)); // the seed itself is valid
  std::mt19937 rng{20261126};
  size_t accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    auto input = mutated(valid_offer, 1 + i % 4, rng);
    auto out = prepare_offer(input);
    if (out) {
      ++accepted;
      continue;
    }
    CAPTURE(input);
    auto code = out.error().code;
    CHECK((code == ec::malformed_sdp || code == ec::no_media
           || code == ec::unsupported_codec));
  }
  // The mutations must exercise both outcomes, or the test proves nothing.
  CHECK(accepted > 0);
  CHECK(accepted < 3000);
}

TEST_CASE("mutated sdpfrags end in a fragment or bad_request") {
  REQUIRE(parse_sdpfrag(valid_frag));
  std::mt19937 rng{1126};
  size_t accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    auto input = mutated(valid_frag, 1 + i % 4, rng);
    auto out = parse_sdpfrag(input);
    if (out) {
      ++accepted;
      continue;
    }
    CAPTURE(input);
    CHECK(out.error().code == ec::bad_request);
  }
  CHECK(accepted > 0);
  CHECK(accepted < 3000);
}

TEST_CASE("mutated offers that pass prepare_offer never crash webrtcbin") {
  gst::ensure_gst_initialized();
  std::mt19937 rng{7};
  int tried = 0;
  int answered = 0;
  for (int i = 0; i < 5000 && tried < 30; ++i) {
    auto input = mutated(valid_offer, 1, rng);
    auto prepared = prepare_offer(input);
    if (!prepared || !loopback_only(*prepared))
      continue;
    ++tried;
    CAPTURE(input);
    std::mutex mtx;
    std::condition_variable cv;
    bool done = false;
    bool ok = false;
    ingest_events ev;
    ev.on_answer = [&](result<std::string> answer) {
      std::lock_guard guard{mtx};
      done = true;
      ok = static_cast<bool>(answer);
    };
    ingest_settings settings;
    settings.stream_id = "fuzz";
    settings.session_id = "s" + std::to_string(i);
    settings.record = false;
    settings.ice.bind_addresses = {"127.0.0.1"};
    auto ingest = webrtc_ingest::create(settings, ev);
    REQUIRE(ingest);
    (*ingest)->negotiate(*prepared);
    {
      // webrtcbin may also stay silent on input it cannot use; the node
      // then answers from local_description() at the gather deadline.
      std::unique_lock lock{mtx};
      cv.wait_for(lock, std::chrono::milliseconds{300}, [&] { return done; });
      answered += ok ? 1 : 0;
    }
    (*ingest)->close();
  }
  CHECK(tried > 10);
  CHECK(answered > 0);
  CHECK(webrtc_ingest_live_count() == 0);
}

TEST_CASE("mutated trickle fragments never crash a negotiated webrtcbin") {
  gst::ensure_gst_initialized();
  std::mutex mtx;
  std::condition_variable cv;
  bool answered = false;
  ingest_events ev;
  ev.on_answer = [&](result<std::string> answer) {
    std::lock_guard guard{mtx};
    answered = static_cast<bool>(answer);
    cv.notify_all();
  };
  ingest_settings settings;
  settings.stream_id = "fuzz";
  settings.session_id = "trickle";
  settings.record = false;
  settings.ice.bind_addresses = {"127.0.0.1"};
  auto ingest = webrtc_ingest::create(settings, ev);
  REQUIRE(ingest);
  auto prepared = prepare_offer(valid_offer);
  REQUIRE(prepared);
  (*ingest)->negotiate(*prepared);
  {
    std::unique_lock lock{mtx};
    cv.wait_for(lock, std::chrono::seconds{2}, [&] { return answered; });
  }
  REQUIRE(answered);
  std::mt19937 rng{42};
  int applied = 0;
  for (int i = 0; i < 2000; ++i) {
    auto input = mutated(valid_frag, 1 + i % 3, rng);
    auto frag = parse_sdpfrag(input);
    if (!frag || !loopback_only(*frag))
      continue;
    CAPTURE(input);
    auto added = (*ingest)->add_remote_candidates(*frag);
    if (added)
      ++applied;
    else
      CHECK((added.error().code == ec::bad_request
             || added.error().code == ec::ice_restart_unsupported));
  }
  CHECK(applied > 0);
  // Candidates are applied on webrtcbin's thread; let it chew on them.
  std::this_thread::sleep_for(std::chrono::milliseconds{500});
  (*ingest)->close();
  ingest->reset();
  CHECK(webrtc_ingest_live_count() == 0);
}

TEST_CASE("an m-line the parser skips makes the offer malformed, not a crash") {
  // The shape of the crash the mutations found: the text has more m-lines
  // than the parser accepted.
  for (auto extra : {"m=\r\n", "m=video\r\n", "m=audio x y\r\n"}) {
    CAPTURE(extra);
    auto out = prepare_offer(std::string{valid_offer} + extra);
    if (!out)
      CHECK(out.error().code == ec::malformed_sdp);
  }
  auto nul = std::string{valid_offer};
  nul.insert(nul.find("m=video"), std::string{"\0", 1});
  auto out = prepare_offer(nul);
  if (!out)
    CHECK(out.error().code == ec::malformed_sdp);
}
