#pragma once

// SDP handling that needs no pipeline: checking and reducing offers, trickle
// fragments (RFC 8840), and rewriting host candidates for an announced IP.

#include <string>
#include <vector>

#include "pipelines/result.hpp"

namespace sluice::pipelines {

/// Checks an offer before any pipeline exists: it must parse and carry at
/// least one audio or video m-line with a codec we can receive. Returns the
/// offer reduced to supported codecs (what webrtcbin gets), or a failure with
/// ec::malformed_sdp, ec::no_media or ec::unsupported_codec.
///
/// Decisions: every H264 profile and packetization mode is kept (the sender
/// picks one, all depayload the same way). RTX, RED, FEC and their
/// rtpmap/fmtp/rtcp-fb lines and FID ssrcs go. An audio/video m-line with no
/// supported codec gets port 0 and leaves the BUNDLE group; webrtcbin 1.22
/// then answers it a=inactive, which the client accepts. A data channel
/// m-line stays untouched: webrtcbin answers it with SCTP (unused), while
/// removing it would break the m-line count and rejecting it needs the same
/// BUNDLE surgery for no gain.
result<std::string> prepare_offer(const std::string& offer_sdp);

/// Applies one `application/trickle-ice-sdpfrag` body (RFC 8840). Candidate
/// lines are routed by a=mid. A changed a=ice-ufrag is an ICE restart.
struct sdpfrag {
  std::string ice_ufrag; ///< Empty if the fragment has none.
  struct candidate { std::string mid; std::string line; }; // line w/o "a="
  std::vector<candidate> candidates;
  bool end_of_candidates = false;
};

/// Parses an sdpfrag body (CRLF or LF); ec::bad_request for anything that is
/// not one.
result<sdpfrag> parse_sdpfrag(const std::string& body);

/// What the ingest needs to know about a (prepared) offer.
struct offer_summary {
  /// One m-line, in SDP order (index = mline index).
  struct mline {
    std::string mid;
    std::string kind; ///< "audio", "video", "application", ...
    bool rejected = false; ///< Port 0.
  };
  std::vector<mline> mlines;
  /// The first a=ice-ufrag (session level or any m-line).
  std::string ice_ufrag;
};

/// Summarizes an offer; ec::malformed_sdp if it does not parse.
result<offer_summary> summarize_offer(const std::string& sdp);

/// Replaces the address of every host candidate and every c= line of the
/// same IP family as `address` (NAT 1:1). Other lines stay as they are.
std::string announce_host_candidates(const std::string& sdp,
                                     const std::string& address);

/// The first a=ice-ufrag value in `sdp`, empty if none.
std::string find_ice_ufrag(const std::string& sdp);

} // namespace sluice::pipelines
