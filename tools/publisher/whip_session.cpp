#include "tools/publisher/whip_session.hpp"

#include <sstream>

namespace sluice::tools {

namespace {

using std::chrono::steady_clock;

struct media_section {
  std::string m_line; ///< Without the trailing CR.
  std::string mid;
};

// The m-lines of an SDP with their mids, in order.
std::vector<media_section> media_sections(const std::string& sdp) {
  std::vector<media_section> out;
  std::istringstream in{sdp};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.rfind("m=", 0) == 0)
      out.push_back({line, {}});
    else if (line.rfind("a=mid:", 0) == 0 && !out.empty())
      out.back().mid = line.substr(6);
  }
  return out;
}

// "http://h:p/whip/x" + "/whip/x/id" -> "http://h:p/whip/x/id".
std::string resolve_location(const std::string& url,
                             const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0)
    return location;
  auto authority_end = url.find('/', url.find("//") + 2);
  auto origin = url.substr(0, authority_end);
  if (!location.empty() && location.front() == '/')
    return origin + location;
  auto dir = url.substr(0, url.rfind('/') + 1);
  return dir + location;
}

std::string header(const http_response& r, const std::string& name) {
  auto i = r.headers.find(name);
  return i == r.headers.end() ? std::string{} : i->second;
}

publish_outcome fail(std::string error, http_response r = {}) {
  publish_outcome out;
  out.status = r.status;
  out.error = std::move(error);
  out.response = std::move(r);
  return out;
}

std::string describe(const http_response& r) {
  if (r.status == 0)
    return "no HTTP answer (" + r.body + ")";
  return "HTTP " + std::to_string(r.status) + " " + r.body;
}

} // namespace

std::string strip_candidates(const std::string& sdp) {
  std::istringstream in{sdp};
  std::string line;
  std::string out;
  while (std::getline(in, line)) {
    if (line.rfind("a=candidate:", 0) == 0
        || line.rfind("a=end-of-candidates", 0) == 0)
      continue;
    out += line;
    out += '\n';
  }
  return out;
}

std::string make_sdpfrag(const std::string& offer, const std::string& ufrag,
                         const std::string& pwd,
                         const std::vector<local_candidate>& candidates,
                         bool end) {
  auto sections = media_sections(offer);
  std::string out = "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\n";
  // Group by mid in m-line order; a candidate without a mid is placed by
  // its m-line index.
  std::vector<std::vector<std::string>> lines(sections.size());
  for (const auto& c : candidates) {
    size_t index = c.mline_index;
    for (size_t i = 0; i < sections.size(); ++i)
      if (!c.mid.empty() && sections[i].mid == c.mid)
        index = i;
    if (index < sections.size())
      lines[index].push_back(c.line);
  }
  bool any = false;
  for (size_t i = 0; i < sections.size(); ++i) {
    if (lines[i].empty())
      continue;
    any = true;
    out += sections[i].m_line + "\r\na=mid:" + sections[i].mid + "\r\n";
    for (const auto& l : lines[i])
      out += (l.rfind("a=", 0) == 0 ? "" : "a=") + l + "\r\n";
  }
  if (end) {
    // The end marker needs a media section to sit in; with max-bundle the
    // first one carries the transport.
    if (!any && !sections.empty())
      out += sections[0].m_line + "\r\na=mid:" + sections[0].mid + "\r\n";
    out += "a=end-of-candidates\r\n";
  }
  return out;
}

whip_session::whip_session(whip_options opts)
  : opts_(std::move(opts)), publisher_([this] {
      auto p = opts_.publisher;
      p.wait_for_gathering = !opts_.trickle;
      return p;
    }()) {
}

whip_session::~whip_session() = default;

publish_outcome whip_session::publish(const std::string& url) {
  auto offer = publisher_.create_offer(opts_.offer_timeout);
  if (!offer)
    return fail("the publisher did not create an offer");
  // In trickle mode the offer must carry no candidates at all, so that a
  // test proves PATCH delivers them; webrtcbin may already have some.
  offer_ = opts_.trickle ? strip_candidates(*offer) : *offer;
  auto res = http_request("POST", url, offer_,
                          {{"Content-Type", "application/sdp"}},
                          opts_.http_timeout);
  // Each message is built before `res` is moved into fail(): argument
  // evaluation order is unspecified.
  if (res.status != 201) {
    auto why = "POST " + url + ": " + describe(res);
    return fail(std::move(why), std::move(res));
  }
  auto location = header(res, "location");
  if (location.empty())
    return fail("201 without a Location header", std::move(res));
  resource_url_ = resolve_location(url, location);
  etag_ = header(res, "etag");
  answer_ = res.body;
  if (!publisher_.set_answer(answer_))
    return fail("the publisher rejected the answer", std::move(res));
  if (opts_.trickle) {
    auto trickled = trickle_candidates();
    if (!trickled.ok)
      return trickled;
  }
  publish_outcome out;
  out.ok = true;
  out.status = res.status;
  out.response = std::move(res);
  return out;
}

publish_outcome whip_session::trickle_candidates() {
  auto deadline = steady_clock::now() + opts_.gather_timeout;
  auto send = [&](std::vector<local_candidate> batch, bool end) {
    auto res = patch(make_sdpfrag(offer_, publisher_.ice_ufrag(),
                                  publisher_.ice_pwd(), batch, end),
                     etag_);
    if (res.status != 204) {
      auto why = "PATCH " + resource_url_ + ": " + describe(res);
      return fail(std::move(why), std::move(res));
    }
    candidates_sent_ += static_cast<int>(batch.size());
    publish_outcome ok;
    ok.ok = true;
    ok.status = res.status;
    ok.response = std::move(res);
    return ok;
  };
  for (;;) {
    bool complete
      = publisher_.wait_gathering_complete(std::chrono::milliseconds{50});
    // Take the batch after the completion check so nothing gathered before
    // completion is left behind.
    auto batch = publisher_.take_new_candidates();
    if (complete)
      return send(std::move(batch), true);
    if (!batch.empty()) {
      auto sent = send(std::move(batch), false);
      if (!sent.ok)
        return sent;
    }
    if (steady_clock::now() >= deadline)
      return fail("ICE gathering did not complete in time");
  }
}

http_response whip_session::patch(const std::string& sdpfrag,
                                  const std::string& if_match) {
  if (resource_url_.empty())
    return {};
  std::map<std::string, std::string> headers{
    {"Content-Type", "application/trickle-ice-sdpfrag"}};
  if (!if_match.empty())
    headers["If-Match"] = if_match;
  return http_request("PATCH", resource_url_, sdpfrag, headers,
                      opts_.http_timeout);
}

http_response whip_session::stop() {
  if (resource_url_.empty())
    return {};
  return http_request("DELETE", resource_url_, {}, {}, opts_.http_timeout);
}

} // namespace sluice::tools
