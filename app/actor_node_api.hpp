#pragma once

// signaling::node_api on top of the actor system. Each call spawns a
// short-lived actor that sends one request to the supervisor and hands the
// response to the callback, so HTTP threads never block on actors.

#include <atomic>
#include <chrono>

#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"
#include "signaling/node_api.hpp"

namespace sluice::app {

class actor_node_api final : public signaling::node_api {
public:
  /// `request_timeout` bounds every call; it must exceed the longest publish
  /// (takeover wait + gathering).
  actor_node_api(caf::actor_system& sys, supervisor_actor supervisor,
                 std::chrono::milliseconds request_timeout);

  void publish(signaling::publish_request req,
               std::function<void(result<signaling::publish_answer>)> done)
    override;

  void trickle(signaling::trickle_request req,
               std::function<void(result<bool>)> done) override;

  void stop(signaling::stop_request req,
            std::function<void(result<bool>)> done) override;

  void resources(std::function<void(std::string)> done) override;

  bool ready() const override;

  /// Makes /readyz fail from now on (drain and shutdown).
  void set_draining() noexcept;

private:
  caf::actor_system& sys_;
  supervisor_actor supervisor_;
  std::chrono::milliseconds timeout_;
  std::atomic<bool> draining_{false};
};

/// The /debug/resources JSON for a report.
std::string to_json(const resource_report& report);

} // namespace sluice::app
