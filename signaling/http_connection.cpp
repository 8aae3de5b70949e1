#include "signaling/http_connection.hpp"

#include <exception>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "signaling/errors.hpp"
#include "signaling/router.hpp"
#include "signaling/uri.hpp"
#include "signaling/whip.hpp"

namespace sluice::signaling {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// Request line plus headers; WHIP requests need far less.
constexpr std::uint32_t header_limit = 16 * 1024;

/// How long and how much we read after our final response, so the client
/// gets that response instead of a reset caused by its unread upload.
constexpr auto linger_timeout = std::chrono::seconds{1};
constexpr std::size_t linger_limit = 1024 * 1024;
constexpr std::size_t linger_chunk = 4096;

/// Keeps access-log lines short whatever the client sends.
constexpr std::size_t max_logged_path = 200;

bool is_http_error(beast::error_code err) {
  return err.category() == http::make_error_code(http::error::bad_target)
                             .category();
}

} // namespace

http_connection::http_connection(tcp::socket socket, const http_config& config,
                                 router& routes,
                                 std::shared_ptr<response_gate> gate)
  : stream_(std::move(socket)),
    answer_timer_(stream_.get_executor()),
    config_(config),
    routes_(routes),
    gate_(std::move(gate)) {
}

void http_connection::run() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&http_connection::do_read,
                                          shared_from_this()));
}

void http_connection::do_read() {
  // A fresh parser per request: the limits apply to each message.
  parser_.emplace();
  parser_->body_limit(config_.max_body_bytes);
  parser_->header_limit(header_limit);
  stream_.expires_after(config_.idle_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code err,
                                               std::size_t) {
                     self->on_read(err);
                   });
}

void http_connection::on_read(beast::error_code err) {
  if (err)
    return on_read_error(err);
  handle_request(parser_->release());
}

void http_connection::on_read_error(beast::error_code err) {
  // The start line may be parsed even when the header is not complete (a
  // Content-Length over the limit fails at the end of the header).
  const auto& header = parser_->get();
  auto target = header.target();
  method_ = std::string{header.method_string()};
  path_ = std::string{target_path({target.data(), target.size()})}
            .substr(0, max_logged_path);
  if (method_.empty())
    method_ = "-";
  if (path_.empty())
    path_ = "-";
  version_ = 11;
  keep_alive_ = false;
  started_ = std::chrono::steady_clock::now();
  std::optional<http_response> res;
  if (err == http::error::body_limit) {
    res = error_response(failure{
      ec::payload_too_large, "the request body exceeds "
                               + std::to_string(config_.max_body_bytes)
                               + " bytes"});
  } else if (err == http::error::header_limit) {
    res = error_response(http::status::request_header_fields_too_large,
                         "header_too_large",
                         "the request header exceeds "
                           + std::to_string(header_limit) + " bytes");
  } else if (is_http_error(err) && err != http::error::end_of_stream
             && err != http::error::partial_message) {
    res = error_response(failure{ec::bad_request, "malformed HTTP request"});
  }
  if (!res) {
    // The client left, went idle, or the server is stopping: nobody to
    // answer.
    if (err != http::error::end_of_stream)
      spdlog::debug("http connection closed: {}", err.message());
    return close_now();
  }
  if (whip_routes::matches(path_))
    add_cors_headers(*res, config_.cors_origin);
  write(std::move(*res), true);
}

void http_connection::handle_request(http_request req) {
  method_ = std::string{req.method_string()};
  auto target = req.target();
  path_ = std::string{target_path({target.data(), target.size()})}
            .substr(0, max_logged_path);
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  started_ = std::chrono::steady_clock::now();
  auto seq = ++num_requests_;
  awaiting_ = seq;
  // Holding shared_from_this() in the timer keeps the connection alive while
  // the node works, and bounds that wait.
  answer_timer_.expires_after(config_.idle_timeout);
  answer_timer_.async_wait(
    [self = shared_from_this(), seq](beast::error_code err) {
      if (err || self->awaiting_ != seq)
        return;
      self->deliver(seq, error_response(failure{
                           ec::timeout, "the node did not answer in time"}));
    });
  try {
    routes_.handle(std::move(req), make_responder(seq));
  } catch (const std::exception& e) {
    spdlog::error("http {} {} threw: {}", method_, path_, e.what());
    deliver(seq, error_response(failure{ec::internal, "internal error"}));
  }
}

responder http_connection::make_responder(uint64_t seq) {
  // Runs on whatever thread the node answers on.
  return [weak = weak_from_this(), gate = gate_, seq](http_response res) {
    try {
      gate->if_open([&] {
        auto self = weak.lock();
        if (!self)
          return;
        auto executor = self->stream_.get_executor();
        net::post(executor, [self = std::move(self), seq,
                             res = std::move(res)]() mutable {
          self->deliver(seq, std::move(res));
        });
      });
    } catch (const std::exception& e) {
      spdlog::error("http response dropped: {}", e.what());
    }
  };
}

void http_connection::deliver(uint64_t seq, http_response res) {
  // A second answer, or one after the 504, finds awaiting_ moved on.
  if (seq != awaiting_)
    return;
  awaiting_ = 0;
  answer_timer_.cancel();
  write(std::move(res), !keep_alive_);
}

void http_connection::write(http_response res, bool close) {
  res.version(version_);
  res.keep_alive(!close);
  res.set(http::field::server, "sluice");
  res.prepare_payload();
  auto elapsed = std::chrono::duration<double, std::milli>(
    std::chrono::steady_clock::now() - started_);
  spdlog::debug("http {} {} -> {} in {:.1f}ms", method_, path_,
                res.result_int(), elapsed.count());
  res_ = std::move(res);
  stream_.expires_after(config_.idle_timeout);
  http::async_write(stream_, res_,
                    [self = shared_from_this(), close](beast::error_code err,
                                                      std::size_t) {
                      self->on_write(close, err);
                    });
}

void http_connection::on_write(bool close, beast::error_code err) {
  if (err) {
    spdlog::debug("http write failed: {}", err.message());
    return close_now();
  }
  if (close)
    return linger_close();
  do_read();
}

void http_connection::linger_close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  buffer_.clear();
  num_drained_bytes_ = 0;
  // One deadline for the whole drain; tcp_stream keeps it across reads.
  stream_.expires_after(linger_timeout);
  stream_.async_read_some(
    buffer_.prepare(linger_chunk),
    beast::bind_front_handler(&http_connection::on_linger,
                              shared_from_this()));
}

void http_connection::on_linger(beast::error_code err, std::size_t bytes) {
  num_drained_bytes_ += bytes;
  if (err || num_drained_bytes_ > linger_limit)
    return close_now();
  stream_.async_read_some(
    buffer_.prepare(linger_chunk),
    beast::bind_front_handler(&http_connection::on_linger,
                              shared_from_this()));
}

void http_connection::close_now() {
  answer_timer_.cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

} // namespace sluice::signaling
