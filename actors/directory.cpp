#include "actors/directory.hpp"

#include <spdlog/spdlog.h>

namespace sluice {

caf::error validate(const directory_config& cfg) {
  if (cfg.takeover_wait.count() < 0)
    return caf::make_error(ec::internal, "takeover_wait must not be negative");
  return caf::none;
}

directory_state::directory_state(
  directory_actor::stateful_pointer<directory_state> self)
  : self(self) {
}

void directory_state::publish_count() {
  if (cfg.counts)
    cfg.counts->directory_entries.store(static_cast<int64_t>(entries.size()));
}

void directory_state::grant(const std::string& stream_id,
                            waiting_claim claim) {
  auto generation = ++last_generation;
  entries[stream_id] = owner{claim.session, claim.session_id, generation,
                             false};
  publish_count();
  claim.promise.deliver(generation);
}

void directory_state::on_down(const caf::down_msg& msg) {
  for (auto i = waiting.begin(); i != waiting.end(); ++i) {
    if (i->second.session.address() == msg.source) {
      // The claimant died while waiting; nobody is left to answer.
      waiting.erase(i);
      break;
    }
  }
  for (auto i = entries.begin(); i != entries.end(); ++i) {
    if (i->second.session.address() != msg.source)
      continue;
    auto stream_id = i->first;
    spdlog::debug("directory released {}/{} generation={}", stream_id,
                  i->second.session_id, i->second.generation);
    entries.erase(i);
    publish_count();
    if (auto w = waiting.find(stream_id); w != waiting.end()) {
      auto claim = std::move(w->second);
      waiting.erase(w);
      grant(stream_id, std::move(claim));
    }
    return;
  }
}

directory_actor::behavior_type
directory(directory_actor::stateful_pointer<directory_state> self,
          directory_config cfg) {
  if (auto err = validate(cfg)) {
    self->quit(err);
    return directory_actor::behavior_type::make_empty_behavior();
  }
  self->state.cfg = std::move(cfg);
  self->set_down_handler(
    [self](caf::down_msg& msg) { self->state.on_down(msg); });
  return {
    [self](claim_atom, const std::string& stream_id,
           const std::string& session_id,
           session_actor& session) -> caf::result<uint64_t> {
      auto& st = self->state;
      auto i = st.entries.find(stream_id);
      if (i != st.entries.end() && i->second.session == session)
        return i->second.generation;
      if (i != st.entries.end()
          && st.cfg.on_conflict == conflict_policy::reject)
        return caf::make_error(ec::stream_in_use,
                               "stream " + stream_id + " is live");
      self->monitor(session);
      auto promise = self->make_response_promise<uint64_t>();
      directory_state::waiting_claim claim{session, session_id, promise};
      if (i == st.entries.end()) {
        st.grant(stream_id, std::move(claim));
        return promise;
      }
      auto& old = i->second;
      if (auto w = st.waiting.find(stream_id); w != st.waiting.end()) {
        w->second.promise.deliver(
          caf::make_error(ec::superseded, "a newer publish took over"));
        st.waiting.erase(w);
      }
      st.waiting.emplace(stream_id, std::move(claim));
      if (!old.stopping) {
        old.stopping = true;
        spdlog::info("directory takeover {}: {} replaces {}", stream_id,
                     session_id, old.session_id);
        self->send_exit(old.session, caf::make_error(end_reason::takeover));
        self->delayed_send(self, st.cfg.takeover_wait, deadline_atom::value,
                           stream_id, old.session.address());
      }
      return promise;
    },
    [self](list_atom) {
      std::vector<directory_entry> out;
      for (auto& [stream_id, o] : self->state.entries)
        out.push_back(directory_entry{stream_id, o.session_id, o.generation});
      return out;
    },
    [self](deadline_atom, const std::string& stream_id,
           const caf::actor_addr& old) {
      auto& st = self->state;
      auto i = st.entries.find(stream_id);
      if (i == st.entries.end() || i->second.session.address() != old)
        return;
      spdlog::warn("directory takeover {}: {} did not stop within {}ms, "
                   "killing it",
                   stream_id, i->second.session_id,
                   st.cfg.takeover_wait.count());
      self->send_exit(i->second.session, caf::exit_reason::kill);
    },
  };
}

} // namespace sluice
