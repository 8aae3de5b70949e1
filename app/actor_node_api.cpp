#include "app/actor_node_api.hpp"

#include <caf/event_based_actor.hpp>
#include <nlohmann/json.hpp>

namespace sluice::app {

namespace {

// Spawns an actor that sends one request and passes the outcome on. `on_ok`
// receives the response value; errors become failures.
template <class Result, class OnOk, class... Ts>
void ask(caf::actor_system& sys, const supervisor_actor& dest,
         std::chrono::milliseconds timeout,
         std::function<void(result<Result>)> done, OnOk on_ok, Ts... xs) {
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(dest, timeout, xs...)
      .then(on_ok,
            [done](caf::error& err) { done(to_failure(err)); });
  });
}

} // namespace

actor_node_api::actor_node_api(caf::actor_system& sys,
                               supervisor_actor supervisor,
                               std::chrono::milliseconds request_timeout)
  : sys_(sys), supervisor_(std::move(supervisor)), timeout_(request_timeout) {
}

void actor_node_api::publish(
  signaling::publish_request req,
  std::function<void(result<signaling::publish_answer>)> done) {
  ask<signaling::publish_answer>(
    sys_, supervisor_, timeout_, done,
    [done](publish_result& r) {
      done(signaling::publish_answer{r.session_id, r.answer_sdp, r.etag});
    },
    publish_atom::value, req.stream_id, req.offer_sdp, req.origin);
}

void actor_node_api::trickle(signaling::trickle_request req,
                             std::function<void(result<bool>)> done) {
  ask<bool>(sys_, supervisor_, timeout_, done, [done](bool ok) { done(ok); },
            trickle_atom::value, req.stream_id, req.session_id, req.if_match,
            req.sdpfrag);
}

void actor_node_api::stop(signaling::stop_request req,
                          std::function<void(result<bool>)> done) {
  ask<bool>(sys_, supervisor_, timeout_, done, [done](bool ok) { done(ok); },
            stop_atom::value, req.stream_id, req.session_id,
            caf::make_error(end_reason::client_stop));
}

void actor_node_api::resources(std::function<void(std::string)> done) {
  std::function<void(result<std::string>)> on_result
    = [done](result<std::string> r) {
        if (r)
          done(std::move(*r));
        else
          done(nlohmann::json{{"error", to_string(r.error().code)},
                              {"message", r.error().message}}
                 .dump());
      };
  ask<std::string>(
    sys_, supervisor_, timeout_, on_result,
    [done](resource_report& r) { done(to_json(r)); }, resources_atom::value);
}

bool actor_node_api::ready() const {
  return !draining_.load();
}

void actor_node_api::set_draining() noexcept {
  draining_.store(true);
}

std::string to_json(const resource_report& r) {
  nlohmann::json by_state = {
    {"negotiating", 0}, {"connecting", 0}, {"live", 0}, {"closing", 0}};
  auto streams = nlohmann::json::array();
  for (auto& s : r.streams) {
    by_state[to_string(s.phase)] = by_state[to_string(s.phase)].get<int>() + 1;
    streams.push_back({{"stream_id", s.stream_id},
                       {"session_id", s.session_id},
                       {"origin", s.origin},
                       {"generation", s.generation},
                       {"state", to_string(s.phase)},
                       {"recording", s.recording}});
  }
  nlohmann::json j = {{"sessions", r.sessions},
                      {"sessions_by_state", by_state},
                      {"pipelines", r.pipelines},
                      {"health_checks", r.health_checks},
                      {"directory_entries", r.directory_entries},
                      {"gst_ingests", r.gst_ingests},
                      {"frozen_sessions", r.frozen_sessions},
                      {"threads", r.threads},
                      {"fds", r.fds},
                      {"sessions_started", r.sessions_started},
                      {"sessions_rejected", r.sessions_rejected},
                      {"sessions_ended", r.sessions_ended},
                      {"streams", streams}};
  return j.dump();
}

} // namespace sluice::app
