#include "actors/messages.hpp"

namespace sluice {

const char* to_string(session_phase p) noexcept {
  switch (p) {
    case session_phase::negotiating: return "negotiating";
    case session_phase::connecting: return "connecting";
    case session_phase::live: return "live";
    case session_phase::closing: return "closing";
  }
  return "unknown";
}

} // namespace sluice
