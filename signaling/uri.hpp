#pragma once

// Request-target helpers: the routes match on the path and validate the
// percent-decoded segments, never the raw bytes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::signaling {

/// The path of an origin-form request target, without "?query" or "#frag".
std::string_view target_path(std::string_view target) noexcept;

/// Decodes %XX escapes; nullopt if an escape is truncated or not hex. A '+'
/// stays a '+' because paths are not form data.
std::optional<std::string> percent_decode(std::string_view in);

/// Splits "a/b/c" into {"a","b","c"}; "" gives {""}, "a/" gives {"a",""}.
std::vector<std::string_view> split_segments(std::string_view path);

} // namespace sluice::signaling
