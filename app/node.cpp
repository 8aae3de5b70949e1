#include "app/node.hpp"

#include <csignal>
#include <cstdio>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/node_supervisor.hpp"
#include "actors/type_registry.hpp"
#include "app/actor_node_api.hpp"
#include "app/exit_backstop.hpp"
#include "pipelines/gst/init.hpp"
#include "signaling/http_server.hpp"

namespace sluice::app {

namespace {

supervisor_config make_supervisor_config(const node_config& cfg) {
  supervisor_config s;
  s.ingest.record = cfg.record;
  s.ingest.recordings_root = cfg.record_dir;
  s.ingest.ice = cfg.ice;
  s.ingest.finalize_timeout = cfg.finalize_timeout;
  s.timeouts = cfg.timeouts;
  s.directory = cfg.directory;
  s.max_sessions = cfg.max_sessions;
  s.counts = std::make_shared<telemetry::resource_counts>();
  s.directory.counts = s.counts;
  s.shutdown_wait = cfg.timeouts.close * 2;
  return s;
}

// Sends the shutdown request and waits for every session to be gone.
uint64_t end_all_sessions(caf::actor_system& sys,
                          const supervisor_actor& supervisor,
                          std::chrono::milliseconds wait) {
  caf::scoped_actor self{sys};
  uint64_t ended = 0;
  self->request(supervisor, wait + std::chrono::seconds{2},
                shutdown_atom::value,
                caf::make_error(end_reason::node_shutdown))
    .receive([&](uint64_t n) { ended = n; },
             [&](caf::error& err) {
               spdlog::error("shutdown request failed: {}", sys.render(err));
             });
  return ended;
}

} // namespace

int run_node(const node_config& cfg) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  gst::ensure_gst_initialized();
  // libnice creates GLib's default main context (an eventfd) on first use;
  // create it now so the fd baseline is the same before and after the first
  // session and leak checks need no slack for it.
  g_main_context_default();
  std::error_code dir_err;
  if (cfg.record)
    std::filesystem::create_directories(cfg.record_dir, dir_err);
  if (dir_err) {
    spdlog::error("cannot create record.dir {}: {}", cfg.record_dir.string(),
                  dir_err.message());
    return 1;
  }

  // Declared before the actor system, so it outlives ~actor_system.
  exit_backstop backstop;
  caf::actor_system_config caf_cfg;
  register_sluice_types(caf_cfg);
  caf::actor_system sys{caf_cfg};
  auto scfg = make_supervisor_config(cfg);
  auto supervisor = sys.spawn(node_supervisor, scfg);
  // Every publish may wait for a takeover and for ICE gathering.
  auto api_timeout = cfg.directory.takeover_wait + cfg.timeouts.close
                     + cfg.timeouts.gather + std::chrono::seconds{10};
  actor_node_api api{sys, supervisor, api_timeout};
  signaling::http_server http{cfg.http, api};
  auto port = http.start();
  if (!port) {
    spdlog::error("http: cannot listen on {}:{}: {}", cfg.http.bind,
                  cfg.http.port, port.error().message);
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
    backstop.arm(cfg.timeouts.close);
    return 1;
  }
  spdlog::info("node {} up: http={}:{} record={} dir={}", cfg.node_id,
               cfg.http.bind, *port, cfg.record, cfg.record_dir.string());
  std::printf("sluice ready http=%s:%u\n", cfg.http.bind.c_str(),
              static_cast<unsigned>(*port));
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: shutting down", sig);
  api.set_draining();
  auto ended = end_all_sessions(sys, supervisor, scfg.shutdown_wait);
  spdlog::info("shutdown: {} sessions ended", ended);
  http.stop();
  caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
  sys.await_all_actors_done();
  spdlog::info("node {} stopped", cfg.node_id);
  // ~actor_system runs on return; bound its wait for detached threads.
  backstop.arm(cfg.timeouts.close);
  return 0;
}

} // namespace sluice::app
