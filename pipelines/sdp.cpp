#include "pipelines/sdp.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string_view>

#include <gst/sdp/sdp.h>

#include "pipelines/gst/unique.hpp"

namespace sluice::pipelines {

namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    auto line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    lines.emplace_back(line);
    pos = end + 1;
  }
  return lines;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string{text}};
  for (std::string w; in >> w;)
    words.push_back(std::move(w));
  return words;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (auto& l : lines)
    out.append(l).append("\r\n");
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The payload type of "a=rtpmap:96 ...", "a=fmtp:96 ..." or "a=rtcp-fb:96 ...",
// empty for other lines and for the rtcp-fb wildcard.
std::string pt_attribute(std::string_view line) {
  for (std::string_view key : {"a=rtpmap:", "a=fmtp:", "a=rtcp-fb:"}) {
    if (starts_with(line, key)) {
      auto rest = line.substr(key.size());
      return std::string{rest.substr(0, rest.find(' '))};
    }
  }
  return {};
}

bool supported_codec(const std::string& kind, const std::string& encoding) {
  auto enc = lower(encoding);
  if (kind == "video")
    return enc == "h264" || enc == "vp8" || enc == "vp9";
  if (kind == "audio")
    return enc == "opus";
  return false;
}

// Per m-line decision, computed from the parsed message.
struct media_plan {
  bool av = false;
  std::set<std::string> keep_pts; // empty for av => reject the m-line
  std::set<std::string> drop_ssrcs; // RTX ssrcs of FID groups
};

media_plan plan_media(const GstSDPMedia* media) {
  media_plan plan;
  std::string kind = gst_sdp_media_get_media(media);
  plan.av = kind == "audio" || kind == "video";
  if (!plan.av)
    return plan;
  for (guint i = 0;; ++i) {
    auto* val = gst_sdp_media_get_attribute_val_n(media, "rtpmap", i);
    if (val == nullptr)
      break;
    auto words = split_words(val);
    if (words.size() < 2)
      continue;
    auto encoding = words[1].substr(0, words[1].find('/'));
    if (supported_codec(kind, encoding))
      plan.keep_pts.insert(words[0]);
  }
  for (guint i = 0;; ++i) {
    auto* val = gst_sdp_media_get_attribute_val_n(media, "ssrc-group", i);
    if (val == nullptr)
      break;
    auto words = split_words(val);
    if (words.size() >= 3 && words[0] == "FID")
      plan.drop_ssrcs.insert(words.begin() + 2, words.end());
  }
  return plan;
}

bool has_attribute_anywhere(const GstSDPMessage* msg, const char* key) {
  if (gst_sdp_message_get_attribute_val(msg, key) != nullptr)
    return true;
  for (guint i = 0; i < gst_sdp_message_medias_len(msg); ++i)
    if (gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(msg, i), key))
      return true;
  return false;
}

result<gst::unique<GstSDPMessage>> parse(const std::string& sdp) {
  if (sdp.empty())
    return failure{ec::malformed_sdp, "the offer is empty"};
  GstSDPMessage* raw = nullptr;
  gst_sdp_message_new(&raw);
  auto msg = gst::take(raw);
  // The parser is lenient (garbage parses as an empty message), so the
  // structural checks below carry the real weight.
  auto rc = gst_sdp_message_parse_buffer(
    reinterpret_cast<const guint8*>(sdp.data()), sdp.size(), msg.get());
  if (rc != GST_SDP_OK || gst_sdp_message_medias_len(msg.get()) == 0)
    return failure{ec::malformed_sdp, "the offer has no m-line"};
  return msg;
}

std::string rewrite_m_line(const std::string& line,
                           const std::set<std::string>& keep) {
  auto words = split_words(line);
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i >= 3 && keep.count(words[i]) == 0)
      continue;
    if (!out.empty())
      out += ' ';
    out += words[i];
  }
  return out;
}

std::string reject_m_line(const std::string& line) {
  auto words = split_words(line);
  if (words.size() < 2)
    return line; // unreachable: the parser accepted this m-line
  words[1] = "0";
  std::string out;
  for (auto& w : words)
    out += (out.empty() ? "" : " ") + w;
  return out;
}

} // namespace

result<std::string> prepare_offer(const std::string& offer_sdp) {
  auto msg = parse(offer_sdp);
  if (!msg)
    return msg.error();
  if (!has_attribute_anywhere(msg->get(), "fingerprint"))
    return failure{ec::malformed_sdp, "the offer has no a=fingerprint"};
  if (!has_attribute_anywhere(msg->get(), "ice-ufrag"))
    return failure{ec::malformed_sdp, "the offer has no a=ice-ufrag"};
  std::vector<media_plan> plans;
  bool any_av = false;
  bool any_supported = false;
  std::set<std::string> rejected_mids;
  for (guint i = 0; i < gst_sdp_message_medias_len(msg->get()); ++i) {
    auto* media = gst_sdp_message_get_media(msg->get(), i);
    // "m=<media> <port> <proto> <fmt> ..." (RFC 8866 5.14): the parser
    // keeps lines that lack parts, and webrtcbin then fails on them late.
    auto* kind = gst_sdp_media_get_media(media);
    auto* proto = gst_sdp_media_get_proto(media);
    if (kind == nullptr || *kind == '\0' || proto == nullptr
        || *proto == '\0' || gst_sdp_media_formats_len(media) == 0)
      return failure{ec::malformed_sdp, "m-line " + std::to_string(i)
                                          + " lacks media, proto or formats"};
    plans.push_back(plan_media(media));
    any_av |= plans.back().av;
    any_supported |= !plans.back().keep_pts.empty();
    if (plans.back().av && plans.back().keep_pts.empty())
      if (auto* mid = gst_sdp_media_get_attribute_val(media, "mid"))
        rejected_mids.insert(mid);
  }
  if (!any_av)
    return failure{ec::no_media, "the offer has no audio or video m-line"};
  if (!any_supported)
    return failure{ec::unsupported_codec,
                   "no offered codec is H264, VP8, VP9 or opus"};
  // Rewrite the text: GstSDPMessage has no API to edit a media in place.
  // The text walk below indexes the parser's plans by m-line, so both must
  // see the same m-lines; a body where they differ (a NUL byte, a stray
  // "m=" the parser skipped) is malformed, not something to guess at.
  auto lines = split_lines(offer_sdp);
  size_t m_lines = 0;
  for (auto& line : lines)
    m_lines += starts_with(line, "m=") ? 1 : 0;
  if (m_lines != plans.size())
    return failure{ec::malformed_sdp, "the offer's m-lines do not parse"};
  std::vector<std::string> out;
  int index = -1; // -1: session level
  for (auto& line : lines) {
    if (line.empty())
      continue;
    if (starts_with(line, "m=")) {
      ++index;
      auto& plan = plans[index];
      if (plan.av)
        line = plan.keep_pts.empty() ? reject_m_line(line)
                                     : rewrite_m_line(line, plan.keep_pts);
      out.push_back(line);
      continue;
    }
    if (index < 0) {
      // A rejected m-line must leave the BUNDLE group (RFC 8843).
      if (starts_with(line, "a=group:BUNDLE") && !rejected_mids.empty()) {
        auto words = split_words(line);
        std::string kept = "a=group:BUNDLE";
        for (size_t i = 1; i < words.size(); ++i)
          if (rejected_mids.count(words[i]) == 0)
            kept += " " + words[i];
        line = kept;
      }
      out.push_back(line);
      continue;
    }
    auto& plan = plans[index];
    if (!plan.av || plan.keep_pts.empty()) {
      out.push_back(line);
      continue;
    }
    if (auto pt = pt_attribute(line);
        !pt.empty() && pt != "*" && plan.keep_pts.count(pt) == 0)
      continue;
    if (starts_with(line, "a=ssrc-group:FID"))
      continue;
    if (starts_with(line, "a=ssrc:")) {
      auto ssrc = line.substr(7, line.find(' ') - 7);
      if (plan.drop_ssrcs.count(ssrc) != 0)
        continue;
    }
    out.push_back(line);
  }
  return join_lines(out);
}

result<offer_summary> summarize_offer(const std::string& sdp) {
  auto msg = parse(sdp);
  if (!msg)
    return msg.error();
  offer_summary summary;
  summary.ice_ufrag = find_ice_ufrag(sdp);
  for (guint i = 0; i < gst_sdp_message_medias_len(msg->get()); ++i) {
    auto* media = gst_sdp_message_get_media(msg->get(), i);
    offer_summary::mline m;
    auto* mid = gst_sdp_media_get_attribute_val(media, "mid");
    m.mid = mid != nullptr ? mid : "";
    m.kind = gst_sdp_media_get_media(media);
    // Port 0 with a=bundle-only is not a rejection (RFC 8843): webrtcbin's
    // max-bundle offers look like that.
    m.rejected = gst_sdp_media_get_port(media) == 0
                 && gst_sdp_media_get_attribute_val(media, "bundle-only") == nullptr;
    summary.mlines.push_back(std::move(m));
  }
  return summary;
}

std::string find_ice_ufrag(const std::string& sdp) {
  for (auto& line : split_lines(sdp))
    if (starts_with(line, "a=ice-ufrag:"))
      return line.substr(12);
  return {};
}

result<sdpfrag> parse_sdpfrag(const std::string& body) {
  auto bad = [](std::string why) {
    return failure{ec::bad_request, "not an sdpfrag: " + std::move(why)};
  };
  sdpfrag frag;
  std::string mid;
  bool in_media = false;
  size_t useful = 0;
  for (auto& line : split_lines(body)) {
    if (line.empty())
      continue;
    if (line.size() < 2 || line[1] != '=' || !std::islower(line[0]))
      return bad("line '" + line.substr(0, 40) + "'");
    if (starts_with(line, "m=")) {
      if (split_words(line).size() < 4)
        return bad("m-line '" + line + "'");
      in_media = true;
      mid.clear();
      ++useful;
    } else if (starts_with(line, "a=ice-ufrag:")) {
      auto ufrag = line.substr(12);
      if (ufrag.empty() || (!frag.ice_ufrag.empty() && ufrag != frag.ice_ufrag))
        return bad("inconsistent a=ice-ufrag");
      frag.ice_ufrag = ufrag;
      ++useful;
    } else if (starts_with(line, "a=mid:")) {
      if (!in_media)
        return bad("a=mid outside an m-line");
      mid = line.substr(6);
    } else if (starts_with(line, "a=candidate:")) {
      auto words = split_words(line);
      // foundation component transport priority address port "typ" type
      if (words.size() < 8 || words[6] != "typ")
        return bad("candidate '" + line + "'");
      if (mid.empty())
        return bad("a=candidate without a=mid");
      frag.candidates.push_back({mid, line.substr(2)});
      ++useful;
    } else if (line == "a=end-of-candidates") {
      frag.end_of_candidates = true;
      ++useful;
    } else if (line[0] != 'a') {
      // RFC 8840 fragments carry only m= and a= lines.
      return bad("unexpected '" + line.substr(0, 2) + "' line");
    }
  }
  if (useful == 0)
    return bad("no ufrag, m-line, candidate or end-of-candidates");
  return frag;
}

std::string announce_host_candidates(const std::string& sdp,
                                     const std::string& address) {
  bool v6 = address.find(':') != std::string::npos;
  auto same_family = [v6](const std::string& addr) {
    return (addr.find(':') != std::string::npos) == v6;
  };
  std::vector<std::string> out;
  for (auto& line : split_lines(sdp)) {
    if (line.empty())
      continue;
    if (starts_with(line, "c=IN ")) {
      auto words = split_words(line);
      if (words.size() == 3 && same_family(words[2]))
        line = words[0] + " " + words[1] + " " + address;
    } else if (starts_with(line, "a=candidate:")) {
      auto words = split_words(line);
      if (words.size() >= 8 && words[7] == "host" && same_family(words[4])) {
        words[4] = address;
        line.clear();
        for (auto& w : words)
          line += (line.empty() ? "" : " ") + w;
      }
    }
    out.push_back(line);
  }
  return join_lines(out);
}

} // namespace sluice::pipelines
