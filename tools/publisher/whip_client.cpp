#include "tools/publisher/whip_client.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sluice::tools {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct parsed_url {
  std::string host;
  std::string port;
  std::string target;
};

// Accepts only what the tests and sluice-publish use: http://host[:port][/..].
std::optional<parsed_url> parse_url(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    return std::nullopt;
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  parsed_url out;
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon == std::string::npos) {
    out.host = authority;
    out.port = "80";
  } else {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  }
  if (out.host.empty() || out.port.empty())
    return std::nullopt;
  return out;
}

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

http_response failed(std::string message) {
  http_response r;
  r.body = std::move(message);
  return r;
}

} // namespace

http_response http_request(const std::string& method, const std::string& url,
                           const std::string& body,
                           const std::map<std::string, std::string>& headers,
                           std::chrono::milliseconds timeout) {
  auto parts = parse_url(url);
  if (!parts)
    return failed("unsupported url: " + url);
  auto verb = http::string_to_verb(method);
  if (verb == http::verb::unknown)
    return failed("unknown method: " + method);
  // Beast's sync calls cannot time out, so each step is an async operation
  // driven to completion here; one deadline on the stream bounds them all.
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  stream.expires_after(timeout);
  beast::error_code ec;
  auto step = [&](auto&& start) {
    start([&](beast::error_code e, auto&&...) { ec = e; });
    ioc.restart();
    ioc.run();
    return !ec;
  };
  tcp::resolver resolver{ioc};
  tcp::resolver::results_type endpoints;
  auto resolved = step([&](auto handler) {
    resolver.async_resolve(parts->host, parts->port,
                           [&, handler](beast::error_code e,
                                        tcp::resolver::results_type r) {
                             endpoints = std::move(r);
                             handler(e);
                           });
  });
  if (!resolved)
    return failed("resolve " + parts->host + ": " + ec.message());
  if (!step([&](auto handler) { stream.async_connect(endpoints, handler); }))
    return failed("connect " + parts->host + ":" + parts->port + ": "
                  + ec.message());
  http::request<http::string_body> req{verb, parts->target, 11};
  req.set(http::field::host, parts->host + ":" + parts->port);
  req.set(http::field::user_agent, "sluice-whip-client");
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : headers)
    req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  if (!step([&](auto handler) { http::async_write(stream, req, handler); })) {
    // A server that rejects a request early (413) may answer and close
    // before it read the whole body; try to read that answer anyway.
    if (ec == beast::error::timeout)
      return failed("write: timeout");
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (!step([&](auto handler) {
        http::async_read(stream, buffer, parser, handler);
      }))
    return failed("read: " + ec.message());
  auto& res = parser.get();
  http_response out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res)
    out.headers[lower(field.name_string())] = std::string{field.value()};
  out.body = std::move(res.body());
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return out;
}

} // namespace sluice::tools
