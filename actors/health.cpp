#include "actors/health.hpp"

#include <spdlog/spdlog.h>

namespace sluice {

using pipelines::ice_state;

caf::error validate(const health_config& cfg) {
  if (!cfg.pipeline)
    return caf::make_error(ec::internal, "health needs a pipeline");
  if (cfg.timeouts.health_interval.count() <= 0)
    return caf::make_error(ec::internal, "health interval must be positive");
  return caf::none;
}

health_state::health_state(health_actor::stateful_pointer<health_state> self)
  : self(self) {
}

bool health_state::end(end_reason reason, const std::string& why) {
  spdlog::info("session {} verdict={} why=\"{}\"", cfg.label,
               to_string(reason), why);
  self->quit(caf::make_error(reason, why));
  return false;
}

bool health_state::judge(const pipeline_stats& stats) {
  auto now = self->clock().now();
  auto elapsed = [&](caf::actor_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - since);
  };
  switch (stats.ice) {
    case ice_state::connected:
    case ice_state::completed:
      if (!connected_at)
        connected_at = now;
      disconnected_since.reset();
      break;
    case ice_state::failed:
      // The pipeline actor ends the session on this event at once; this is
      // the backstop if that event was lost.
      return end(end_reason::client_gone, "ice failed");
    case ice_state::disconnected:
      if (!disconnected_since)
        disconnected_since = now;
      else if (elapsed(*disconnected_since) >= cfg.timeouts.ice_disconnected_grace)
        return end(end_reason::client_gone, "ice disconnected past grace");
      break;
    default:
      break;
  }
  // Media is the strongest sign of a connection: count it as connected even
  // if the ICE state notification has not been seen yet.
  if (!connected_at && stats.since_last_media_ms >= 0)
    connected_at = now;
  if (!connected_at) {
    if (elapsed(started) >= cfg.timeouts.connect)
      return end(end_reason::connect_timeout, "no ice connection");
    return true;
  }
  auto media = cfg.timeouts.media;
  if (stats.since_last_media_ms < 0) {
    if (elapsed(*connected_at) >= media)
      return end(end_reason::client_gone, "connected but no media");
  } else if (std::chrono::milliseconds{stats.since_last_media_ms} >= media) {
    return end(end_reason::client_gone,
               "no media for " + std::to_string(stats.since_last_media_ms)
                 + "ms");
  }
  return true;
}

health_actor::behavior_type
health(health_actor::stateful_pointer<health_state> self, health_config cfg) {
  if (auto err = validate(cfg)) {
    self->quit(err);
    return health_actor::behavior_type::make_empty_behavior();
  }
  self->state.live = std::make_unique<telemetry::counted>(
    cfg.counts ? &cfg.counts->health_checks : nullptr);
  self->state.cfg = std::move(cfg);
  self->state.started = self->clock().now();
  self->send(self, tick_atom::value);
  return {
    [self](tick_atom) {
      auto& st = self->state;
      // A pipeline that cannot answer within one interval plus slack is
      // stuck; that is a verdict too, not a reason to wait forever.
      auto deadline = st.cfg.timeouts.health_interval * 4
                      + std::chrono::seconds{1};
      self->request(st.cfg.pipeline, deadline, stats_atom::value)
        .then(
          [self](const pipeline_stats& stats) {
            if (!self->state.judge(stats))
              return;
            self->delayed_send(self, self->state.cfg.timeouts.health_interval,
                               tick_atom::value);
          },
          [self](caf::error& err) {
            self->state.end(end_reason::unhealthy,
                            "pipeline did not answer: "
                              + self->system().render(err));
          });
    },
  };
}

} // namespace sluice
