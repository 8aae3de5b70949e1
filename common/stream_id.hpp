#pragma once

#include <string_view>

namespace sluice {

/// True if `id` matches ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$. Stream ids end up
/// in file paths, so nothing else may ever reach the filesystem.
bool is_valid_stream_id(std::string_view id) noexcept;

} // namespace sluice
