#include "actors/pipeline.hpp"

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

namespace sluice {

using pipelines::ice_state;

caf::error validate(const pipeline_config& cfg) {
  if (!cfg.parent)
    return caf::make_error(ec::internal, "pipeline needs a parent session");
  if (cfg.ingest.session_id.empty() || cfg.ingest.stream_id.empty())
    return caf::make_error(ec::internal, "pipeline needs stream and session");
  return caf::none;
}

pipeline_state::pipeline_state(
  pipeline_actor::stateful_pointer<pipeline_state> self)
  : self(self) {
}

void pipeline_state::deliver_answer(caf::expected<std::string> answer) {
  if (!pending_answer)
    return;
  if (answer)
    pending_answer->deliver(std::move(*answer));
  else
    pending_answer->deliver(answer.error());
  pending_answer.reset();
}

void pipeline_state::end(end_reason reason, const std::string& why) {
  spdlog::info("session {} pipeline ends reason={} why=\"{}\"", cfg.label,
               to_string(reason), why);
  self->quit(caf::make_error(reason, why));
}

namespace {

// Builds callbacks that only post messages. They run on GStreamer threads,
// so they must not touch the state; the handle keeps the mailbox reachable
// and messages to an actor that already quit are dropped.
pipelines::ingest_events make_events(pipeline_actor handle) {
  pipelines::ingest_events ev;
  ev.on_answer = [handle](result<std::string> answer) {
    if (answer)
      caf::anon_send(handle, answer_atom::value, std::move(*answer));
    else
      caf::anon_send(handle, answer_atom::value, to_error(answer.error()));
  };
  ev.on_ice_state = [handle](ice_state s) {
    caf::anon_send(handle, ice_atom::value, s);
  };
  ev.on_client_closed = [handle] { caf::anon_send(handle, bye_atom::value); };
  ev.on_track = [handle](std::string kind, std::string codec) {
    caf::anon_send(handle, track_atom::value, std::move(kind),
                   std::move(codec));
  };
  ev.on_error = [handle](std::string message) {
    caf::anon_send(handle, gst_error_atom::value, std::move(message));
  };
  return ev;
}

} // namespace

pipeline_actor::behavior_type
pipeline(pipeline_actor::stateful_pointer<pipeline_state> self,
         pipeline_config cfg) {
  if (auto err = validate(cfg)) {
    self->quit(err);
    return pipeline_actor::behavior_type::make_empty_behavior();
  }
  auto& st = self->state;
  st.live = std::make_unique<telemetry::counted>(
    cfg.counts ? &cfg.counts->pipelines : nullptr);
  st.cfg = std::move(cfg);
  auto created = pipelines::webrtc_ingest::create(
    st.cfg.ingest, make_events(caf::actor_cast<pipeline_actor>(self)));
  if (!created) {
    st.end(end_reason::pipeline_error, created.error().message);
    return pipeline_actor::behavior_type::make_empty_behavior();
  }
  st.ingest = std::move(*created);
  return {
    [self](negotiate_atom, const std::string& offer)
      -> caf::result<std::string> {
      auto& st = self->state;
      if (st.pending_answer)
        return caf::make_error(ec::bad_request, "negotiation in progress");
      st.pending_answer = self->make_response_promise<std::string>();
      st.ingest->negotiate(offer);
      self->delayed_send(self, st.cfg.timeouts.gather, gathered_atom::value);
      return *st.pending_answer;
    },
    [self](trickle_atom, const std::string& body) -> caf::result<bool> {
      auto frag = pipelines::parse_sdpfrag(body);
      if (!frag)
        return to_error(frag.error());
      auto added = self->state.ingest->add_remote_candidates(*frag);
      if (!added)
        return to_error(added.error());
      return true;
    },
    [self](stats_atom) {
      auto s = self->state.ingest->stats();
      pipeline_stats out;
      out.rtp_packets = s.rtp_packets;
      out.rtp_bytes = s.rtp_bytes;
      out.since_last_media_ms = s.since_last_media ? s.since_last_media->count()
                                                   : -1;
      // The actor's own view, fed by ice_atom events: the same source as
      // the ingest's, and what tests can drive deterministically.
      out.ice = self->state.ice;
      out.recording = self->state.ingest->recording_path().string();
      return out;
    },
    [self](answer_atom, std::string& answer) {
      self->state.deliver_answer(std::move(answer));
    },
    [self](answer_atom, caf::error& err) {
      self->state.deliver_answer(err);
    },
    [self](gathered_atom) {
      auto& st = self->state;
      if (!st.pending_answer)
        return;
      // Gathering is slow (e.g. an unreachable interface): answer with the
      // candidates we have; the client learns the rest as peer-reflexive.
      spdlog::info("session {} gathering incomplete after {}ms, answering "
                   "with current candidates",
                   st.cfg.label, st.cfg.timeouts.gather.count());
      if (auto sdp = st.ingest->local_description())
        st.deliver_answer(std::move(*sdp));
      else
        st.deliver_answer(
          caf::make_error(ec::negotiation_failed, "no local description"));
    },
    [self](ice_atom, ice_state s) {
      auto& st = self->state;
      if (s == st.ice)
        return;
      spdlog::info("session {} ice {} -> {}", st.cfg.label,
                   pipelines::to_string(st.ice), pipelines::to_string(s));
      st.ice = s;
      if (s == ice_state::failed)
        st.end(end_reason::client_gone, "ice failed");
    },
    [self](track_atom, const std::string& kind, const std::string& codec) {
      auto& st = self->state;
      spdlog::info("session {} track kind={} codec={}", st.cfg.label, kind,
                   codec);
      if (!st.told_parent_live) {
        st.told_parent_live = true;
        self->send(st.cfg.parent, live_atom::value,
                   st.ingest->recording_path().string());
      }
    },
    [self](bye_atom) {
      self->state.end(end_reason::client_closed, "client closed transport");
    },
    [self](gst_error_atom, const std::string& message) {
      self->state.end(end_reason::pipeline_error, message);
    },
  };
}

} // namespace sluice
