// Usage: sluice-publish --url http://127.0.0.1:8080/whip/demo
//          [--codec VP8|H264|VP9|none] [--no-audio] [--trickle]
//          [--duration SECONDS] [--end stop|vanish] [--bind ADDRESS]
//          [--connect-timeout SECONDS]
//
// Publishes live test patterns over WHIP with a real webrtcbin publisher.
// Prints one JSON object per line on stdout for each event:
//   {"event":"published","location":...,"etag":...}
//   {"event":"connected"}
//   {"event":"ice_state","state":...}   (changes after connecting)
//   {"event":"ended","end":"stop"|"vanish","status":N}
// Runs for --duration seconds after connecting, or until SIGINT/SIGTERM.
// --end stop (default) sends DELETE; --end vanish exits at once without
// DELETE or any orderly teardown, as if the process had been killed.
// Exit codes: 0 ok, 1 usage, 3 publish failed, 4 ICE did not connect,
// 5 DELETE failed.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <gst/gst.h>

#include "tools/publisher/whip_session.hpp"

namespace {

using namespace std::chrono_literals;
using sluice::tools::whip_session;

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Events go to stdout one line each and are flushed at once: tests read them
// through a pipe while this process runs.
void emit(const std::string& body) {
  std::cout << "{" << body << "}" << std::endl;
}

// Waits up to `d` for SIGINT or SIGTERM (blocked in every thread).
bool signalled_within(const sigset_t& set, std::chrono::milliseconds d) {
  timespec ts{static_cast<time_t>(d.count() / 1000),
              static_cast<long>(d.count() % 1000) * 1000000L};
  return sigtimedwait(&set, nullptr, &ts) > 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Publish test patterns to a WHIP endpoint"};
  std::string url;
  std::string codec = "VP8";
  bool no_audio = false;
  bool trickle = false;
  double duration = -1;
  std::string end = "stop";
  std::string bind = "127.0.0.1";
  double connect_timeout = 10;
  app.add_option("--url", url, "WHIP endpoint, http://host:port/whip/{stream}")
    ->required();
  app.add_option("--codec", codec, "Video codec")
    ->check(CLI::IsMember({"VP8", "H264", "VP9", "none"}));
  app.add_flag("--no-audio", no_audio, "Send no Opus track");
  app.add_flag("--trickle", trickle,
               "Offer without candidates, trickle them via PATCH");
  app.add_option("--duration", duration,
                 "Seconds to stay connected (default: until a signal)");
  app.add_option("--end", end, "How to end")
    ->check(CLI::IsMember({"stop", "vanish"}));
  app.add_option("--bind", bind, "Local address for ICE");
  app.add_option("--connect-timeout", connect_timeout,
                 "Seconds to wait for ICE to connect");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }
  if (codec == "none" && no_audio) {
    std::cerr << "sluice-publish: --codec none with --no-audio sends nothing\n";
    return 1;
  }
  // Block the stop signals before GStreamer starts threads, so every thread
  // inherits the mask and only sigtimedwait below ever sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  gst_init(&argc, &argv);

  sluice::tools::whip_options opts;
  opts.publisher.video_codec = codec == "none" ? "" : codec;
  opts.publisher.audio = !no_audio;
  opts.publisher.bind_address = bind;
  opts.trickle = trickle;
  whip_session session{opts};
  auto published = session.publish(url);
  if (!published.ok) {
    emit("\"event\":\"failed\",\"status\":" + std::to_string(published.status)
         + ",\"body\":" + json_string(published.response.body));
    std::cerr << "sluice-publish: publish failed: " << published.error << "\n";
    return 3;
  }
  emit("\"event\":\"published\",\"location\":"
       + json_string(session.resource_url())
       + ",\"etag\":" + json_string(session.etag()));

  auto finish = [&](int code) {
    if (end == "vanish") {
      emit("\"event\":\"ended\",\"end\":\"vanish\"");
      // No DELETE and no teardown: the server must notice on its own.
      std::fflush(nullptr);
      _exit(code);
    }
    auto res = session.stop();
    emit("\"event\":\"ended\",\"end\":\"stop\",\"status\":"
         + std::to_string(res.status));
    if (res.status != 200) {
      std::cerr << "sluice-publish: DELETE " << session.resource_url()
                << " answered " << res.status << " " << res.body << "\n";
      return code == 0 ? 5 : code;
    }
    return code;
  };

  auto connect_deadline = std::chrono::steady_clock::now()
                          + std::chrono::milliseconds{
                            static_cast<long>(connect_timeout * 1000)};
  while (!session.publisher().wait_connected(100ms)) {
    if (signalled_within(stop_signals, 0ms))
      return finish(0);
    if (std::chrono::steady_clock::now() >= connect_deadline) {
      std::cerr << "sluice-publish: ICE did not connect within "
                << connect_timeout << " s (state "
                << session.publisher().ice_state() << ")\n";
      return finish(4);
    }
  }
  emit("\"event\":\"connected\"");

  auto stop_at = std::chrono::steady_clock::now()
                 + std::chrono::milliseconds{
                   static_cast<long>(duration * 1000)};
  auto last_state = session.publisher().ice_state();
  for (;;) {
    auto slice = 200ms;
    if (duration >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        stop_at - std::chrono::steady_clock::now());
      if (left <= 0ms)
        break;
      slice = std::min(slice, left);
    }
    if (signalled_within(stop_signals, slice))
      break;
    auto state = session.publisher().ice_state();
    if (state != last_state) {
      emit("\"event\":\"ice_state\",\"state\":" + json_string(state));
      last_state = state;
    }
  }
  return finish(0);
}
