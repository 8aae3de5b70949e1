#include "tests/pipelines/harness.hpp"

#include <unistd.h>

namespace sluice::test {

pipelines::ingest_events event_log::bind(const std::shared_ptr<event_log>& log) {
  pipelines::ingest_events ev;
  auto note = [log](auto&& f) {
    {
      std::lock_guard guard{log->mutex};
      f(*log);
    }
    log->num_events.fetch_add(1);
    log->cv.notify_all();
  };
  ev.on_answer = [note](result<std::string> a) {
    note([&](event_log& l) { l.answer = std::move(a); });
  };
  ev.on_ice_state = [note](pipelines::ice_state s) {
    note([&](event_log& l) { l.ice.push_back(s); });
  };
  ev.on_client_closed = [note] {
    note([](event_log& l) { ++l.client_closed; });
  };
  ev.on_track = [note](std::string kind, std::string codec) {
    note([&](event_log& l) {
      l.track_kinds.push_back(kind);
      l.codecs.push_back(codec);
    });
  };
  ev.on_error = [note](std::string msg) {
    note([&](event_log& l) { l.errors.push_back(msg); });
  };
  return ev;
}

bool event_log::has_track(const std::string& kind) {
  for (auto& k : track_kinds)
    if (k == kind)
      return true;
  return false;
}

bool event_log::ice_connected() {
  for (auto s : ice)
    if (s == pipelines::ice_state::connected
        || s == pipelines::ice_state::completed)
      return true;
  return false;
}

std::filesystem::path recordings_dir() {
  static auto dir = [] {
    auto d = std::filesystem::temp_directory_path()
             / ("sluice-pipeline-tests-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

pipelines::ingest_settings settings(const std::string& stream_id,
                                    const std::string& session_id, bool record) {
  pipelines::ingest_settings s;
  s.stream_id = stream_id;
  s.session_id = session_id;
  s.record = record;
  s.recordings_root = recordings_dir();
  // Loopback only: test media never targets another address.
  s.ice.bind_addresses = {"127.0.0.1"};
  return s;
}

session connect(tools::publisher_options pub, pipelines::ingest_settings ing) {
  session s;
  s.publisher = std::make_unique<tools::webrtc_publisher>(pub);
  auto offer = s.publisher->create_offer(5s);
  if (!offer) {
    s.error = "publisher made no offer";
    return s;
  }
  auto prepared = pipelines::prepare_offer(*offer);
  if (!prepared) {
    s.error = "prepare_offer: " + prepared.error().message;
    return s;
  }
  auto ingest = pipelines::webrtc_ingest::create(ing, event_log::bind(s.log));
  if (!ingest) {
    s.error = "create: " + ingest.error().message;
    return s;
  }
  s.ingest = std::move(*ingest);
  auto negotiate_started = std::chrono::steady_clock::now();
  s.ingest->negotiate(*prepared);
  if (!s.log->wait(5s, [&] { return s.log->answer.has_value(); })) {
    s.error = "no answer within 5s";
    return s;
  }
  s.negotiate_time = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - negotiate_started);
  std::string answer;
  {
    std::lock_guard guard{s.log->mutex};
    if (!*s.log->answer) {
      s.error = "answer failed: " + s.log->answer->error().message;
      return s;
    }
    answer = **s.log->answer;
  }
  if (!s.publisher->set_answer(answer)) {
    s.error = "publisher rejected the answer";
    return s;
  }
  if (!s.publisher->wait_connected(5s)) {
    s.error = "publisher ICE not connected, state " + s.publisher->ice_state();
    return s;
  }
  if (!s.log->wait(5s, [&] { return s.log->ice_connected(); }))
    s.error = "ingest ICE not connected";
  return s;
}

int num_threads() {
  int n = 0;
  for ([[maybe_unused]] auto& e :
       std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

int num_fds() {
  int n = 0;
  for ([[maybe_unused]] auto& e :
       std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

} // namespace sluice::test
