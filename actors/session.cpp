#include "actors/session.hpp"

#include <spdlog/spdlog.h>

#include "actors/pipeline.hpp"

namespace sluice {

caf::error validate(const session_config& cfg) {
  if (cfg.stream_id.empty() || cfg.session_id.empty())
    return caf::make_error(ec::internal, "session needs stream and session id");
  if (!cfg.directory)
    return caf::make_error(ec::internal, "session needs the directory");
  return caf::none;
}

session_state::session_state(session_actor::stateful_pointer<session_state> self)
  : self(self) {
}

std::string session_state::label() const {
  return cfg.stream_id + "/" + cfg.session_id;
}

void session_state::report() {
  if (!cfg.supervisor)
    return;
  session_summary s;
  s.stream_id = cfg.stream_id;
  s.session_id = cfg.session_id;
  s.origin = cfg.origin;
  s.generation = generation;
  s.phase = phase;
  s.recording = recording;
  self->send(cfg.supervisor, update_atom::value, std::move(s));
}

void session_state::maybe_answer() {
  if (!pending_publish || !answer || generation == 0)
    return;
  pending_publish->deliver(
    publish_result{cfg.session_id, *answer, cfg.session_id});
  pending_publish.reset();
  if (phase == session_phase::negotiating) {
    phase = session_phase::connecting;
    report();
  }
}

void session_state::close(caf::error reason) {
  if (closing)
    return;
  closing = true;
  close_reason = reason;
  phase = session_phase::closing;
  report();
  if (pending_publish) {
    // A takeover before our answer went out means a newer publish won.
    auto r = as_end_reason(reason);
    if (r == end_reason::takeover)
      pending_publish->deliver(
        caf::make_error(ec::superseded, "a newer publish took over"));
    else
      pending_publish->deliver(reason);
    pending_publish.reset();
  }
  bool waiting = false;
  for (auto child : {caf::actor_cast<caf::actor>(pipeline),
                     caf::actor_cast<caf::actor>(health)}) {
    if (child) {
      self->send_exit(child, reason);
      waiting = true;
    }
  }
  if (!waiting) {
    self->quit(reason);
    return;
  }
  self->delayed_send(self, cfg.timeouts.close, deadline_atom::value);
}

void session_state::on_exit_msg(const caf::exit_msg& msg) {
  // A linked child's own death arrives here first; its down message (below)
  // confirms it is gone. Anyone else's exit (directory, supervisor) is an
  // order to close.
  if (closing)
    return;
  auto reason = msg.reason;
  if (!reason)
    reason = caf::make_error(end_reason::unhealthy, "child exited normally");
  close(std::move(reason));
}

void session_state::on_down(const caf::down_msg& msg) {
  // CAF unlinks an actor from the sender of an exit message, so children we
  // stop ourselves never send an exit back; their down messages are the
  // reliable signal that they are gone.
  if (pipeline && msg.source == pipeline.address())
    pipeline = nullptr;
  else if (health && msg.source == health.address())
    health = nullptr;
  else
    return;
  if (!closing)
    close(msg.reason ? msg.reason
                     : caf::make_error(end_reason::unhealthy,
                                       "child exited normally"));
  if (!pipeline && !health)
    self->quit(close_reason);
}

session_actor::behavior_type
session(session_actor::stateful_pointer<session_state> self,
        session_config cfg) {
  if (auto err = validate(cfg)) {
    self->quit(err);
    return session_actor::behavior_type::make_empty_behavior();
  }
  auto& st = self->state;
  st.live = std::make_unique<telemetry::counted>(
    cfg.counts ? &cfg.counts->sessions : nullptr);
  cfg.ingest.stream_id = cfg.stream_id;
  cfg.ingest.session_id = cfg.session_id;
  st.cfg = std::move(cfg);
  self->set_exit_handler(
    [self](caf::exit_msg& msg) { self->state.on_exit_msg(msg); });
  self->set_down_handler(
    [self](caf::down_msg& msg) { self->state.on_down(msg); });
  // Children first, so their setup overlaps a possible takeover wait.
  pipeline_config pcfg{st.label(), st.cfg.ingest,
                       caf::actor_cast<session_actor>(self), st.cfg.timeouts,
                       st.cfg.counts};
  // Linked so a child's death takes us down; monitored so we learn of the
  // end of children we stop ourselves (see on_down).
  if (st.cfg.detach_pipeline)
    st.pipeline = self->spawn<caf::linked + caf::monitored + caf::detached>(
      sluice::pipeline, std::move(pcfg));
  else
    st.pipeline = self->spawn<caf::linked + caf::monitored>(sluice::pipeline,
                                                            std::move(pcfg));
  st.health = self->spawn<caf::linked + caf::monitored>(
    sluice::health,
    health_config{st.label(), st.pipeline, st.cfg.timeouts, st.cfg.counts});
  // The directory may hold the claim while an old owner shuts down; it
  // bounds that wait itself, so our bound only guards a lost directory.
  auto claim_timeout = st.cfg.timeouts.close * 2 + std::chrono::seconds{5};
  self
    ->request(st.cfg.directory, claim_timeout, claim_atom::value,
              st.cfg.stream_id, st.cfg.session_id,
              caf::actor_cast<session_actor>(self))
    .then(
      [self](uint64_t generation) {
        auto& st = self->state;
        st.generation = generation;
        spdlog::info("session {} registered generation={} origin={}",
                     st.label(), generation, st.cfg.origin);
        st.report();
        st.maybe_answer();
      },
      [self](caf::error& err) { self->state.close(err); });
  return {
    [self](publish_atom) -> caf::result<publish_result> {
      auto& st = self->state;
      if (st.pending_publish || st.answer)
        return caf::make_error(ec::bad_request, "session already published");
      if (st.closing)
        return st.close_reason;
      st.pending_publish = self->make_response_promise<publish_result>();
      // The pipeline answers within the gather timeout; the slack covers
      // creating the answer itself.
      auto timeout = st.cfg.timeouts.gather + std::chrono::seconds{5};
      self
        ->request(st.pipeline, timeout, negotiate_atom::value,
                  st.cfg.prepared_offer)
        .then(
          [self](std::string& answer) {
            self->state.answer = std::move(answer);
            self->state.maybe_answer();
          },
          [self](caf::error& err) {
            auto& st = self->state;
            spdlog::info("session {} negotiation failed: {}", st.label(),
                         self->system().render(err));
            if (st.pending_publish) {
              st.pending_publish->deliver(err);
              st.pending_publish.reset();
            }
            st.close(caf::make_error(end_reason::pipeline_error,
                                     "negotiation failed"));
          });
      return *st.pending_publish;
    },
    [self](trickle_atom, const std::string& if_match,
           std::string& body) -> caf::result<bool> {
      auto& st = self->state;
      if (st.closing || !st.pipeline)
        return caf::make_error(ec::unknown_session, "session is closing");
      // RFC 9725: If-Match carries the ETag we handed out, or "*".
      if (!if_match.empty() && if_match != "*"
          && if_match != "\"" + st.cfg.session_id + "\"")
        return caf::make_error(ec::etag_mismatch, "If-Match names another "
                                                  "ICE session");
      return self->delegate(st.pipeline, trickle_atom::value, std::move(body));
    },
    [self](live_atom, std::string& recording) {
      auto& st = self->state;
      st.recording = std::move(recording);
      if (st.phase == session_phase::connecting
          || st.phase == session_phase::negotiating) {
        st.phase = session_phase::live;
        spdlog::info("session {} live recording={}", st.label(),
                     st.recording.empty() ? "off" : st.recording);
        st.report();
      }
    },
    [self](deadline_atom) {
      auto& st = self->state;
      spdlog::warn("session {} frozen: children still alive {}ms after "
                   "close; quitting without them",
                   st.label(), st.cfg.timeouts.close.count());
      if (st.cfg.counts)
        st.cfg.counts->frozen_sessions.fetch_add(1);
      self->quit(st.close_reason);
    },
  };
}

} // namespace sluice
