#pragma once

// One WHIP publish (RFC 9725) from a real webrtc_publisher: POST the offer,
// apply the answer, optionally trickle candidates through PATCH (RFC 8840
// sdpfrag bodies), and DELETE on stop. Blocking; used by tests and by the
// sluice-publish tool.

#include <chrono>
#include <string>
#include <vector>

#include "tools/publisher/webrtc_publisher.hpp"
#include "tools/publisher/whip_client.hpp"

namespace sluice::tools {

struct whip_options {
  publisher_options publisher;
  /// If true, POST an offer without candidates and send every candidate
  /// through PATCH to the resource, ending with a=end-of-candidates.
  bool trickle = false;
  /// Bound for creating the offer (which includes gathering if not trickling).
  std::chrono::milliseconds offer_timeout{std::chrono::seconds{10}};
  /// Bound for each HTTP request.
  std::chrono::milliseconds http_timeout{std::chrono::seconds{10}};
  /// Bound for trickling: gathering must complete within it.
  std::chrono::milliseconds gather_timeout{std::chrono::seconds{10}};
};

/// What publish() achieved.
struct publish_outcome {
  bool ok = false;
  /// HTTP status of the request that decided the outcome (0: no answer or
  /// failed before any request).
  int status = 0;
  /// Human-readable reason when !ok.
  std::string error;
  /// The response that decided the outcome (the 201, or the failing one).
  http_response response;
};

class whip_session {
public:
  explicit whip_session(whip_options opts);
  /// Tears the publisher down without a DELETE: the server sees the client
  /// vanish unless stop() was called first.
  ~whip_session();

  whip_session(const whip_session&) = delete;
  whip_session& operator=(const whip_session&) = delete;

  /// POSTs the offer to `url` (http://host:port/whip/{stream}), applies the
  /// answer and, in trickle mode, PATCHes all local candidates. Call once.
  publish_outcome publish(const std::string& url);

  /// Sends DELETE to the resource. Returns the response (status 0 if there is
  /// no resource or the server did not answer).
  http_response stop();

  /// Sends one PATCH with `sdpfrag` to the resource, with If-Match set to
  /// `if_match` when it is not empty.
  http_response patch(const std::string& sdpfrag, const std::string& if_match);

  /// Absolute URL of the WHIP resource, empty before a successful publish.
  const std::string& resource_url() const { return resource_url_; }

  /// The ETag from the 201, as sent (quotes included).
  const std::string& etag() const { return etag_; }

  /// The offer exactly as POSTed and the answer as received.
  const std::string& offer_sdp() const { return offer_; }
  const std::string& answer_sdp() const { return answer_; }

  /// Number of a=candidate lines sent through PATCH.
  int candidates_sent() const { return candidates_sent_; }

  /// The underlying publisher, e.g. for wait_connected().
  webrtc_publisher& publisher() { return publisher_; }

private:
  publish_outcome trickle_candidates();

  whip_options opts_;
  webrtc_publisher publisher_;
  std::string resource_url_;
  std::string etag_;
  std::string offer_;
  std::string answer_;
  int candidates_sent_ = 0;
};

/// Removes every a=candidate and a=end-of-candidates line from an SDP.
std::string strip_candidates(const std::string& sdp);

/// Builds an RFC 8840 sdpfrag body: ufrag and pwd, then for each mid with
/// candidates an m-line (kind taken from `offer`), its a=mid and its
/// a=candidate lines, and a=end-of-candidates if `end` is true.
std::string make_sdpfrag(const std::string& offer, const std::string& ufrag,
                         const std::string& pwd,
                         const std::vector<local_candidate>& candidates,
                         bool end);

} // namespace sluice::tools
