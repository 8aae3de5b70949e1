#pragma once

// The demo page served at GET /: publishes the webcam over WHIP and shows
// /debug/resources. Self-contained (no external scripts) because nodes often
// run without internet access.

#include <string_view>

namespace sluice::signaling {

/// The complete HTML document of the demo page.
std::string_view demo_page_html() noexcept;

} // namespace sluice::signaling
