#include "signaling/router.hpp"

#include <string_view>
#include <utility>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "signaling/demo_page.hpp"
#include "signaling/errors.hpp"
#include "signaling/uri.hpp"

namespace sluice::signaling {

namespace http = boost::beast::http;

namespace {

http_response json_ok(std::string body) {
  http_response res{http::status::ok, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

} // namespace

router::router(const http_config& config, node_api& node)
  : whip_(config.cors_origin, node), node_(node) {
}

void router::handle(http_request req, responder respond) {
  auto target = req.target();
  auto path = target_path({target.data(), target.size()});
  if (whip_routes::matches(path))
    return whip_.handle(std::move(req), std::move(respond));
  bool known = path == "/" || path == "/healthz" || path == "/readyz"
               || path == "/debug/resources";
  if (!known)
    return respond(error_response(http::status::not_found, "not_found",
                                  "no such resource"));
  if (req.method() != http::verb::get) {
    auto res = error_response(http::status::method_not_allowed,
                              "method_not_allowed", "allowed methods: GET");
    res.set(http::field::allow, "GET");
    return respond(std::move(res));
  }
  if (path == "/healthz")
    return respond(json_ok(R"({"status":"ok"})"));
  if (path == "/readyz") {
    if (node_.ready())
      return respond(json_ok(R"({"status":"ready"})"));
    return respond(error_response(
      failure{ec::unavailable, "the node is draining or at capacity"}));
  }
  if (path == "/debug/resources")
    return node_.resources([respond = std::move(respond)](std::string json) {
      respond(json_ok(std::move(json)));
    });
  http_response res{http::status::ok, 11};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.body() = demo_page_html();
  respond(std::move(res));
}

} // namespace sluice::signaling
