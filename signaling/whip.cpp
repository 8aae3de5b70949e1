#include "signaling/whip.hpp"

#include <utility>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <spdlog/spdlog.h>

#include "common/stream_id.hpp"
#include "signaling/errors.hpp"
#include "signaling/uri.hpp"

namespace sluice::signaling {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view prefix = "/whip";
constexpr std::string_view sdp_type = "application/sdp";
constexpr std::string_view sdpfrag_type = "application/trickle-ice-sdpfrag";
constexpr std::string_view endpoint_methods = "POST, OPTIONS";
constexpr std::string_view session_methods = "PATCH, DELETE, OPTIONS";

std::string_view to_std(boost::beast::string_view s) noexcept {
  return {s.data(), s.size()};
}

// Compares the media type and ignores parameters such as ";charset=utf-8".
bool has_media_type(const http_request& req, std::string_view expected) {
  auto value = to_std(req[http::field::content_type]);
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
    value.remove_suffix(1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  return boost::beast::iequals(value, expected);
}

// The node hands out a bare tag; HTTP wants an entity-tag in quotes.
std::string quoted_etag(const std::string& etag) {
  if (etag.starts_with('"') || etag.starts_with("W/\""))
    return etag;
  return '"' + etag + '"';
}

// Sends `res` with the CORS headers every WHIP response carries.
void reply(const responder& respond, const std::string& origin,
           http_response res) {
  add_cors_headers(res, origin);
  res.set(http::field::cache_control, "no-store");
  respond(std::move(res));
}

void reply_error(const responder& respond, const std::string& origin,
                 std::string_view what, const failure& f) {
  if (http_status(f.code) >= http::status::internal_server_error)
    spdlog::warn("whip {} failed: {} ({})", what, to_string(f.code), f.message);
  else
    spdlog::info("whip {} failed: {} ({})", what, to_string(f.code), f.message);
  reply(respond, origin, error_response(f));
}

void reply_method_not_allowed(const responder& respond,
                              const std::string& origin,
                              std::string_view allow) {
  auto res = error_response(http::status::method_not_allowed,
                            "method_not_allowed",
                            "allowed methods: " + std::string{allow});
  res.set(http::field::allow, allow);
  reply(respond, origin, std::move(res));
}

http_response preflight(bool session_path) {
  http_response res{http::status::no_content, 11};
  res.set(http::field::access_control_allow_methods,
          "POST, PATCH, DELETE, OPTIONS");
  res.set(http::field::access_control_allow_headers,
          "Content-Type, Authorization, If-Match");
  res.set(http::field::access_control_max_age, "86400");
  res.set("Accept-Post", sdp_type);
  if (session_path)
    res.set("Accept-Patch", sdpfrag_type);
  res.set(http::field::allow, session_path ? session_methods
                                           : endpoint_methods);
  return res;
}

} // namespace

void add_cors_headers(http_response& res, const std::string& origin) {
  res.set(http::field::access_control_allow_origin, origin);
  res.set(http::field::access_control_expose_headers, "Location, ETag, Link");
}

whip_routes::whip_routes(std::string cors_origin, node_api& node)
  : cors_origin_(std::move(cors_origin)), node_(node) {
}

bool whip_routes::matches(std::string_view path) noexcept {
  return path == prefix
         || (path.starts_with(prefix) && path.size() > prefix.size()
             && path[prefix.size()] == '/');
}

void whip_routes::handle(http_request req, responder respond) {
  auto path = target_path(to_std(req.target()));
  auto rest = path.size() > prefix.size() ? path.substr(prefix.size() + 1)
                                          : std::string_view{};
  auto segments = split_segments(rest);
  if (req.method() == http::verb::options) {
    reply(respond, cors_origin_, preflight(segments.size() >= 2));
    return;
  }
  auto stream = percent_decode(segments[0]);
  if (!stream || !is_valid_stream_id(*stream)) {
    // The message does not echo the segment: it is arbitrary client input.
    reply_error(respond, cors_origin_, "request",
                failure{ec::invalid_stream_id,
                        "stream ids match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}"});
    return;
  }
  if (segments.size() == 1) {
    if (req.method() != http::verb::post)
      return reply_method_not_allowed(respond, cors_origin_, endpoint_methods);
    return publish(std::move(*stream), std::move(req), std::move(respond));
  }
  if (segments.size() > 2) {
    reply(respond, cors_origin_,
          error_response(http::status::not_found, "not_found",
                         "no such WHIP resource"));
    return;
  }
  auto verb = req.method();
  if (verb != http::verb::patch && verb != http::verb::delete_)
    return reply_method_not_allowed(respond, cors_origin_, session_methods);
  auto session = percent_decode(segments[1]);
  if (!session || !is_valid_stream_id(*session)) {
    reply_error(respond, cors_origin_, "request",
                failure{ec::unknown_session, "no such session"});
    return;
  }
  if (verb == http::verb::patch)
    trickle(std::move(*stream), std::move(*session), std::move(req),
            std::move(respond));
  else
    stop(std::move(*stream), std::move(*session), std::move(respond));
}

void whip_routes::publish(std::string stream, http_request req,
                          responder respond) {
  if (!has_media_type(req, sdp_type))
    return reply_error(respond, cors_origin_, "publish " + stream,
                       failure{ec::unsupported_media_type,
                               "Content-Type must be application/sdp"});
  if (req.body().empty())
    return reply_error(respond, cors_origin_, "publish " + stream,
                       failure{ec::malformed_sdp, "the SDP offer is empty"});
  publish_request pr{stream, std::move(req.body()), "whip"};
  // The callback may run on any thread after this object is gone, so it
  // captures copies, never `this`.
  node_.publish(std::move(pr), [respond = std::move(respond),
                                origin = cors_origin_,
                                stream](result<publish_answer> r) {
    if (!r)
      return reply_error(respond, origin, "publish " + stream, r.error());
    http_response res{http::status::created, 11};
    res.set(http::field::content_type, sdp_type);
    res.set(http::field::location,
            "/whip/" + stream + "/" + r->session_id);
    res.set(http::field::etag, quoted_etag(r->etag));
    res.body() = std::move(r->answer_sdp);
    spdlog::info("whip publish {} created session {}", stream,
                 r->session_id);
    reply(respond, origin, std::move(res));
  });
}

void whip_routes::trickle(std::string stream, std::string session,
                          http_request req, responder respond) {
  auto what = "trickle " + stream + "/" + session;
  if (!has_media_type(req, sdpfrag_type))
    return reply_error(
      respond, cors_origin_, what,
      failure{ec::unsupported_media_type,
              "Content-Type must be application/trickle-ice-sdpfrag"});
  if (req.body().empty())
    return reply_error(respond, cors_origin_, what,
                       failure{ec::bad_request, "the SDP fragment is empty"});
  trickle_request tr{std::move(stream), std::move(session),
                     std::string{to_std(req[http::field::if_match])},
                     std::move(req.body())};
  node_.trickle(std::move(tr), [respond = std::move(respond),
                                origin = cors_origin_,
                                what = std::move(what)](result<bool> r) {
    if (!r)
      return reply_error(respond, origin, what, r.error());
    reply(respond, origin, http_response{http::status::no_content, 11});
  });
}

void whip_routes::stop(std::string stream, std::string session,
                       responder respond) {
  auto what = "stop " + stream + "/" + session;
  stop_request sr{std::move(stream), std::move(session)};
  node_.stop(std::move(sr), [respond = std::move(respond),
                             origin = cors_origin_,
                             what = std::move(what)](result<bool> r) {
    if (!r)
      return reply_error(respond, origin, what, r.error());
    spdlog::info("whip {} done", what);
    reply(respond, origin, http_response{http::status::ok, 11});
  });
}

} // namespace sluice::signaling
