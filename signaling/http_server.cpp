#include "signaling/http_server.hpp"

#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <spdlog/spdlog.h>

#include "signaling/http_connection.hpp"
#include "signaling/router.hpp"

namespace sluice::signaling {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// The pause before accepting again after accept() failed, e.g. with EMFILE.
constexpr auto accept_backoff = std::chrono::milliseconds{100};

} // namespace

struct http_server::impl {
  enum class phase { idle, running, stopped };

  impl(http_config cfg, node_api& node)
    : config(std::move(cfg)), routes(config, node) {
  }

  result<uint16_t> start();
  void stop();
  void do_accept();
  void on_accept(beast::error_code err, tcp::socket socket);
  void run_worker();

  http_config config;
  router routes;
  std::shared_ptr<response_gate> gate = std::make_shared<response_gate>();
  /// Guards phase, so start() and stop() may race from any threads.
  std::mutex mutex;
  phase state = phase::idle;
  // Created by start(), destroyed by stop() in reverse order; the
  // io_context goes last and takes every connection with it.
  std::unique_ptr<net::io_context> ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>>
    work;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> backoff;
  std::vector<std::thread> threads;
  /// Logs a run of accept failures once; touched on the acceptor's strand.
  bool accept_failing = false;
};

result<uint16_t> http_server::impl::start() {
  std::lock_guard<std::mutex> guard{mutex};
  if (state != phase::idle)
    return failure{ec::internal, "http_server::start called twice"};
  if (config.threads == 0)
    return failure{ec::bad_request, "http threads must be at least 1"};
  if (config.max_body_bytes == 0)
    return failure{ec::bad_request, "http max_body_bytes must be positive"};
  beast::error_code err;
  auto address = net::ip::make_address(config.bind, err);
  if (err)
    return failure{ec::bad_request,
                   "invalid http bind address '" + config.bind + "'"};
  tcp::endpoint endpoint{address, config.port};
  ioc = std::make_unique<net::io_context>(static_cast<int>(config.threads));
  acceptor = std::make_unique<tcp::acceptor>(net::make_strand(*ioc));
  acceptor->open(endpoint.protocol(), err);
  if (!err)
    acceptor->set_option(net::socket_base::reuse_address(true), err);
  if (!err)
    acceptor->bind(endpoint, err);
  if (!err)
    acceptor->listen(net::socket_base::max_listen_connections, err);
  if (err) {
    acceptor.reset();
    ioc.reset();
    return failure{ec::unavailable, "cannot listen on " + config.bind + ":"
                                      + std::to_string(config.port) + ": "
                                      + err.message()};
  }
  auto port = acceptor->local_endpoint().port();
  backoff = std::make_unique<net::steady_timer>(acceptor->get_executor());
  work.emplace(ioc->get_executor());
  state = phase::running;
  net::post(acceptor->get_executor(), [this] { do_accept(); });
  threads.reserve(config.threads);
  for (std::size_t i = 0; i < config.threads; ++i)
    threads.emplace_back([this] { run_worker(); });
  spdlog::info("http listening on {}:{} threads={} max_body_bytes={}",
               config.bind, port, config.threads, config.max_body_bytes);
  return port;
}

void http_server::impl::stop() {
  std::lock_guard<std::mutex> guard{mutex};
  if (state != phase::running) {
    state = phase::stopped;
    return;
  }
  state = phase::stopped;
  // Closing the gate first means no node callback can post into the
  // io_context while, or after, it is torn down.
  gate->close();
  work.reset();
  ioc->stop();
  for (auto& thread : threads)
    thread.join();
  threads.clear();
  backoff.reset();
  acceptor.reset();
  // Destroying the io_context destroys the pending handlers, which hold the
  // last references to the connections; their sockets close with them.
  ioc.reset();
  spdlog::info("http server stopped");
}

void http_server::impl::do_accept() {
  acceptor->async_accept(net::make_strand(*ioc),
                         beast::bind_front_handler(&impl::on_accept, this));
}

// Runs on the acceptor's strand.
void http_server::impl::on_accept(beast::error_code err, tcp::socket socket) {
  if (err == net::error::operation_aborted)
    return;
  if (err) {
    // Typically out of file descriptors; retry later instead of spinning.
    if (!accept_failing)
      spdlog::warn("http accept failed: {}; retrying every {}ms",
                   err.message(), accept_backoff.count());
    accept_failing = true;
    backoff->expires_after(accept_backoff);
    backoff->async_wait([this](beast::error_code wait_err) {
      if (!wait_err)
        do_accept();
    });
    return;
  }
  if (accept_failing)
    spdlog::info("http accept works again");
  accept_failing = false;
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  std::make_shared<http_connection>(std::move(socket), config, routes, gate)
    ->run();
  do_accept();
}

void http_server::impl::run_worker() {
  // Handlers must not throw; if one does anyway, log it and keep serving.
  for (;;) {
    try {
      ioc->run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http handler threw: {}", e.what());
    }
  }
}

http_server::http_server(http_config config, node_api& node)
  : impl_(std::make_unique<impl>(std::move(config), node)) {
}

http_server::~http_server() {
  stop();
}

result<uint16_t> http_server::start() {
  return impl_->start();
}

void http_server::stop() {
  impl_->stop();
}

} // namespace sluice::signaling
