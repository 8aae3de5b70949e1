#pragma once

// A real WebRTC publisher built on webrtcbin: test patterns encoded live,
// sent send-only. Used by tests and by the sluice-publish tool. It knows
// nothing about HTTP; whip_client.hpp does the signaling.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::tools {

struct publisher_options {
  /// "VP8", "H264", "VP9" or "" for no video.
  std::string video_codec = "VP8";
  bool audio = true;  ///< Opus test tone.
  int width = 320;
  int height = 240;
  int fps = 15;
  /// If false, the offer is returned before gathering, with no candidates,
  /// and candidates must be trickled (WHIP PATCH).
  bool wait_for_gathering = true;
  /// Local address to gather on.
  std::string bind_address = "127.0.0.1";
};

/// One trickled candidate: the m-line's mid and the line without "a=".
struct local_candidate {
  std::string mid;
  unsigned mline_index = 0;
  std::string line;
};

class webrtc_publisher {
public:
  explicit webrtc_publisher(publisher_options opts);
  /// Tears the pipeline down (set to NULL); sends nothing else.
  ~webrtc_publisher();

  webrtc_publisher(const webrtc_publisher&) = delete;
  webrtc_publisher& operator=(const webrtc_publisher&) = delete;

  /// Creates and applies the local offer. Blocks up to `timeout`; nullopt on
  /// failure.
  std::optional<std::string> create_offer(std::chrono::milliseconds timeout);

  /// Applies the remote answer; false if it does not parse or apply.
  bool set_answer(const std::string& sdp);

  /// Candidates gathered so far that were not yet returned by this call.
  std::vector<local_candidate> take_new_candidates();

  /// The local ICE ufrag and pwd (for sdpfrag bodies).
  std::string ice_ufrag() const;
  std::string ice_pwd() const;

  /// True once ICE reports connected or completed within `timeout`.
  bool wait_connected(std::chrono::milliseconds timeout);

  /// True once ICE gathering completed within `timeout`.
  bool wait_gathering_complete(std::chrono::milliseconds timeout);

  /// Current ICE connection state name ("new", "checking", "connected", ...).
  std::string ice_state() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::tools
