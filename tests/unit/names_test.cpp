// Pure functions at the edges: stream id rules, reason names, error mapping.

#include <doctest/doctest.h>

#include <string>

#include "actors/errors.hpp"
#include "app/config.hpp"
#include "common/stream_id.hpp"
#include "signaling/errors.hpp"

using namespace sluice;

TEST_CASE("stream ids that could escape a path or are too long are invalid") {
  CHECK(is_valid_stream_id("demo"));
  CHECK(is_valid_stream_id("cam-1_b.2"));
  CHECK(is_valid_stream_id(std::string(128, 'a')));
  CHECK_FALSE(is_valid_stream_id(""));
  CHECK_FALSE(is_valid_stream_id("../x"));
  CHECK_FALSE(is_valid_stream_id(".."));
  CHECK_FALSE(is_valid_stream_id(".hidden"));
  CHECK_FALSE(is_valid_stream_id("a/b"));
  CHECK_FALSE(is_valid_stream_id("a b"));
  CHECK_FALSE(is_valid_stream_id("a\\b"));
  CHECK_FALSE(is_valid_stream_id(std::string(129, 'a')));
  CHECK_FALSE(is_valid_stream_id(std::string("a\0b", 3)));
}

TEST_CASE("every end reason has a unique name that parses back") {
  for (auto r : all_end_reasons) {
    CAPTURE(to_string(r));
    CHECK(parse_end_reason(to_string(r)) == r);
    CHECK(as_end_reason(caf::make_error(r)) == r);
  }
  CHECK_FALSE(parse_end_reason("nonsense"));
}

TEST_CASE("errors keep their code across the actor boundary") {
  auto f = to_failure(caf::make_error(ec::stream_in_use, std::string{"x"}));
  CHECK(f.code == ec::stream_in_use);
  CHECK(f.message == "x");
  CHECK(to_failure(caf::make_error(caf::sec::request_timeout)).code
        == ec::timeout);
  CHECK(to_failure(to_error(failure{ec::no_media, "m"})).code == ec::no_media);
}

TEST_CASE("durations parse with units and reject garbage") {
  using std::chrono::milliseconds;
  CHECK(*app::parse_duration("250ms") == milliseconds{250});
  CHECK(*app::parse_duration("5s") == milliseconds{5000});
  CHECK(*app::parse_duration("1.5s") == milliseconds{1500});
  CHECK(*app::parse_duration("2m") == milliseconds{120000});
  CHECK_FALSE(app::parse_duration("5"));
  CHECK_FALSE(app::parse_duration("-1s"));
  CHECK_FALSE(app::parse_duration("abc"));
  CHECK_FALSE(app::parse_duration(""));
}

TEST_CASE("request errors map to the HTTP statuses clients expect") {
  using boost::beast::http::status;
  CHECK(signaling::http_status(ec::invalid_stream_id) == status::bad_request);
  CHECK(signaling::http_status(ec::malformed_sdp) == status::bad_request);
  CHECK(signaling::http_status(ec::no_media) == status::bad_request);
  CHECK(signaling::http_status(ec::unsupported_media_type)
        == status::unsupported_media_type);
  CHECK(signaling::http_status(ec::payload_too_large)
        == status::payload_too_large);
  CHECK(signaling::http_status(ec::stream_in_use) == status::conflict);
  CHECK(signaling::http_status(ec::unknown_session) == status::not_found);
  CHECK(signaling::http_status(ec::etag_mismatch)
        == status::precondition_failed);
  CHECK(signaling::http_status(ec::unavailable)
        == status::service_unavailable);
}
