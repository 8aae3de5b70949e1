#pragma once

// Maps a request to its handler: WHIP, health probes, the debug view and the
// demo page. Runs on the connection's strand; handlers answer through the
// responder, possibly later and from another thread.
//
//   GET /                 200  the demo page (text/html)
//   GET /healthz          200  {"status":"ok"} while the process serves HTTP
//   GET /readyz           200  {"status":"ready"}, or 503 unavailable while
//                              the node drains or is at capacity
//   GET /debug/resources  200  node_api::resources() as application/json
//   /whip...                   see signaling/whip.hpp
//   other methods on the paths above  405 method_not_allowed, with Allow
//   anything else         404  not_found

#include "signaling/http_config.hpp"
#include "signaling/http_types.hpp"
#include "signaling/node_api.hpp"
#include "signaling/whip.hpp"

namespace sluice::signaling {

/// Dispatches requests to the route handlers.
class router {
public:
  /// `node` must outlive this object.
  router(const http_config& config, node_api& node);

  /// Answers `req` through `respond` exactly once. Does not throw for bad
  /// input; an exception here is a bug the connection turns into a 500.
  void handle(http_request req, responder respond);

private:
  whip_routes whip_;
  node_api& node_;
};

} // namespace sluice::signaling
