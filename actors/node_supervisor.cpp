#include "actors/node_supervisor.hpp"

#include <cinttypes>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "actors/session.hpp"
#include "common/stream_id.hpp"
#include "telemetry/process_stats.hpp"

namespace sluice {

caf::error validate(const supervisor_config& cfg) {
  if (!cfg.counts)
    return caf::make_error(ec::internal, "supervisor needs resource counts");
  return validate(cfg.directory);
}

supervisor_state::supervisor_state(
  supervisor_actor::stateful_pointer<supervisor_state> self)
  : self(self), rng(std::random_device{}()) {
  for (auto r : all_end_reasons)
    ended[to_string(r)] = 0;
}

std::string supervisor_state::next_session_id() {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, rng());
  return buf;
}

supervisor_state::tracked*
supervisor_state::find(const std::string& stream_id,
                       const std::string& session_id) {
  auto i = by_session_id.find(session_id);
  if (i == by_session_id.end())
    return nullptr;
  auto& t = sessions.at(i->second);
  return t.summary.stream_id == stream_id ? &t : nullptr;
}

void supervisor_state::on_down(const caf::down_msg& msg) {
  auto i = sessions.find(msg.source);
  if (i == sessions.end())
    return;
  auto& t = i->second;
  auto after = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                             - t.started)
                 .count();
  auto reason = as_end_reason(msg.reason);
  if (reason) {
    ++ended[to_string(*reason)];
    spdlog::info("session {}/{} ended reason={} after={:.1f}s",
                 t.summary.stream_id, t.summary.session_id,
                 to_string(*reason), after);
  } else {
    // Not an end_reason: it failed before it could own its stream id
    // (stream_in_use, superseded, a validation bug).
    ++rejected;
    spdlog::info("session {}/{} rejected reason=\"{}\" after={:.1f}s",
                 t.summary.stream_id, t.summary.session_id,
                 self->system().render(msg.reason), after);
  }
  by_session_id.erase(t.summary.session_id);
  auto [b, e] = stops.equal_range(msg.source);
  for (auto s = b; s != e; ++s)
    s->second.deliver(true);
  stops.erase(b, e);
  sessions.erase(i);
  if (shutdown && sessions.empty()) {
    shutdown->deliver(shutdown_count);
    shutdown.reset();
  }
}

resource_report supervisor_state::make_report() const {
  resource_report r;
  r.sessions = cfg.counts->sessions.load();
  r.pipelines = cfg.counts->pipelines.load();
  r.health_checks = cfg.counts->health_checks.load();
  r.directory_entries = cfg.counts->directory_entries.load();
  r.gst_ingests = pipelines::webrtc_ingest_live_count();
  r.threads = telemetry::process_threads();
  r.fds = telemetry::process_fds();
  r.sessions_started = started;
  r.sessions_rejected = rejected;
  r.frozen_sessions = cfg.counts->frozen_sessions.load();
  r.sessions_ended = ended;
  for (auto& [addr, t] : sessions)
    r.streams.push_back(t.summary);
  return r;
}

supervisor_actor::behavior_type
node_supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                supervisor_config cfg) {
  if (auto err = validate(cfg)) {
    self->quit(err);
    return supervisor_actor::behavior_type::make_empty_behavior();
  }
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.directory = self->spawn<caf::linked>(directory, st.cfg.directory);
  self->set_down_handler(
    [self](caf::down_msg& msg) { self->state.on_down(msg); });
  return {
    [self](publish_atom, std::string& stream_id, const std::string& offer,
           std::string& origin) -> caf::result<publish_result> {
      auto& st = self->state;
      // Validate before spawning anything: bad input must not cost a pipeline.
      if (st.draining)
        return caf::make_error(ec::unavailable, "node is draining");
      if (st.cfg.max_sessions != 0 && st.sessions.size() >= st.cfg.max_sessions)
        return caf::make_error(ec::unavailable, "node is at capacity");
      if (!is_valid_stream_id(stream_id))
        return caf::make_error(ec::invalid_stream_id,
                               "stream ids match "
                               "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$");
      auto prepared = pipelines::prepare_offer(offer);
      if (!prepared)
        return to_error(prepared.error());
      session_config scfg;
      scfg.stream_id = std::move(stream_id);
      scfg.session_id = st.next_session_id();
      scfg.origin = std::move(origin);
      scfg.prepared_offer = std::move(*prepared);
      scfg.ingest = st.cfg.ingest;
      scfg.timeouts = st.cfg.timeouts;
      scfg.directory = st.directory;
      scfg.supervisor = caf::actor_cast<supervisor_actor>(self);
      scfg.counts = st.cfg.counts;
      scfg.detach_pipeline = st.cfg.detach_pipelines;
      session_summary summary{scfg.stream_id, scfg.session_id, scfg.origin, 0,
                              session_phase::negotiating, {}};
      auto s = self->spawn<caf::monitored>(session, std::move(scfg));
      st.by_session_id.emplace(summary.session_id, s.address());
      st.sessions.emplace(s.address(),
                          supervisor_state::tracked{
                            s, std::move(summary),
                            std::chrono::steady_clock::now()});
      ++st.started;
      return self->delegate(s, publish_atom::value);
    },
    [self](trickle_atom, const std::string& stream_id,
           const std::string& session_id, std::string& if_match,
           std::string& body) -> caf::result<bool> {
      auto t = self->state.find(stream_id, session_id);
      if (!t)
        return caf::make_error(ec::unknown_session, "no such session");
      return self->delegate(t->session, trickle_atom::value,
                            std::move(if_match), std::move(body));
    },
    [self](stop_atom, const std::string& stream_id,
           const std::string& session_id,
           caf::error& reason) -> caf::result<bool> {
      auto& st = self->state;
      auto t = st.find(stream_id, session_id);
      if (!t)
        return caf::make_error(ec::unknown_session, "no such session");
      self->send_exit(t->session, std::move(reason));
      auto promise = self->make_response_promise<bool>();
      st.stops.emplace(t->session.address(), promise);
      return promise;
    },
    [self](resources_atom) { return self->state.make_report(); },
    [self](shutdown_atom, caf::error& reason) -> caf::result<uint64_t> {
      auto& st = self->state;
      st.draining = true;
      if (st.sessions.empty())
        return uint64_t{0};
      if (st.shutdown)
        return caf::make_error(ec::unavailable, "shutdown in progress");
      spdlog::info("ending {} sessions reason={}", st.sessions.size(),
                   self->system().render(reason));
      st.shutdown_count = st.sessions.size();
      for (auto& [addr, t] : st.sessions)
        self->send_exit(t.session, reason);
      st.shutdown = self->make_response_promise<uint64_t>();
      self->delayed_send(self, st.cfg.shutdown_wait, deadline_atom::value);
      return *st.shutdown;
    },
    [self](update_atom, session_summary& s) {
      auto& st = self->state;
      auto i = st.by_session_id.find(s.session_id);
      if (i != st.by_session_id.end())
        st.sessions.at(i->second).summary = std::move(s);
    },
    [self](deadline_atom) {
      auto& st = self->state;
      if (!st.shutdown)
        return;
      spdlog::warn("shutdown: {} sessions still alive after {}ms",
                   st.sessions.size(), st.cfg.shutdown_wait.count());
      st.shutdown->deliver(st.shutdown_count - st.sessions.size());
      st.shutdown.reset();
    },
  };
}

} // namespace sluice
