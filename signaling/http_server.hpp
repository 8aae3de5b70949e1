#pragma once

// The HTTP edge of a node: one listening socket served by its own io_context
// and worker threads. Routes are described in signaling/router.hpp and
// signaling/whip.hpp.

#include <cstdint>
#include <memory>

#include "pipelines/result.hpp"
#include "signaling/http_config.hpp"
#include "signaling/node_api.hpp"

namespace sluice::signaling {

/// An asynchronous HTTP/1.1 server (Boost.Beast) with keep-alive, per-request
/// limits and timeouts. Start it once; stop() is final.
class http_server {
public:
  /// `node` must outlive the server. Node callbacks that arrive after stop()
  /// are dropped safely.
  http_server(http_config config, node_api& node);

  /// Calls stop().
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds, listens and starts the worker threads. Returns the bound port
  /// (the ephemeral one if config.port is 0). Fails with bad_request for an
  /// invalid config (bind address, threads, max_body_bytes), unavailable if
  /// the address cannot be bound, internal if called twice or after stop().
  result<uint16_t> start();

  /// Stops accepting, closes every connection (answers still pending from
  /// the node are dropped) and joins the worker threads. Idempotent and
  /// thread-safe, but must not run on a worker thread, i.e. inside a node
  /// callback that the node invokes synchronously from publish() & co.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::signaling
