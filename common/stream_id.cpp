#include "common/stream_id.hpp"

namespace sluice {

namespace {

bool is_alnum(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9');
}

} // namespace

bool is_valid_stream_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128 || !is_alnum(id.front()))
    return false;
  for (char c : id)
    if (!is_alnum(c) && c != '_' && c != '.' && c != '-')
      return false;
  // The first-character rule already excludes "." and "..".
  return true;
}

} // namespace sluice
