#pragma once

// One accepted TCP connection: reads HTTP/1.1 requests one at a time, hands
// each to the router and writes the answer, with keep-alive. All members are
// touched only on the connection's strand.
//
// Lifetime: only pending asynchronous operations hold the connection (the
// read, the write, or the answer timer while the node works). Responders
// hold a weak_ptr and post through the response_gate, so an answer that
// arrives after the client left, or after the server stopped, is dropped
// without touching a destroyed io_context.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include "signaling/http_config.hpp"
#include "signaling/http_types.hpp"

namespace sluice::signaling {

class router;

/// Lets node callbacks reach connections only while the server's io_context
/// exists. The server closes it before it destroys the io_context.
class response_gate {
public:
  /// Runs `fn` under the lock if the gate is still open.
  template <class F>
  void if_open(F&& fn) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (open_)
      fn();
  }

  /// After this returns, no if_open() body runs any more.
  void close() {
    std::lock_guard<std::mutex> guard{mutex_};
    open_ = false;
  }

private:
  std::mutex mutex_;
  bool open_ = true;
};

/// Serves one client connection.
class http_connection : public std::enable_shared_from_this<http_connection> {
public:
  /// `config` and `routes` must outlive the io_context of `socket`.
  http_connection(boost::asio::ip::tcp::socket socket,
                  const http_config& config, router& routes,
                  std::shared_ptr<response_gate> gate);

  /// Starts reading requests; call once, right after construction.
  void run();

private:
  void do_read();
  void on_read(boost::beast::error_code err);
  void on_read_error(boost::beast::error_code err);
  void handle_request(http_request req);
  responder make_responder(uint64_t seq);
  void deliver(uint64_t seq, http_response res);
  void write(http_response res, bool close);
  void on_write(bool close, boost::beast::error_code err);
  void linger_close();
  void on_linger(boost::beast::error_code err, std::size_t bytes);
  void close_now();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<
    boost::beast::http::string_body>> parser_;
  /// The response being written; async_write needs it alive until done.
  http_response res_;
  /// Bounds how long a request waits for the node; keeps us alive meanwhile.
  boost::asio::steady_timer answer_timer_;
  const http_config& config_;
  router& routes_;
  std::shared_ptr<response_gate> gate_;
  /// Numbers requests so a late answer cannot answer the next request.
  uint64_t num_requests_ = 0;
  /// The number of the request awaiting its answer, 0 if none.
  uint64_t awaiting_ = 0;
  /// What the access log and the response need from the current request.
  std::string method_;
  std::string path_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  std::chrono::steady_clock::time_point started_;
  std::size_t num_drained_bytes_ = 0;
};

} // namespace sluice::signaling
