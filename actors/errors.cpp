#include "actors/errors.hpp"

#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>
#include <caf/message.hpp>
#include <caf/deep_to_string.hpp>

namespace sluice {

std::optional<end_reason> as_end_reason(const caf::error& err) {
  if (err.category() == caf::atom("end"))
    return static_cast<end_reason>(err.code());
  if (err == caf::exit_reason::kill)
    return end_reason::unhealthy;
  return std::nullopt;
}

failure to_failure(const caf::error& err) {
  std::string message;
  if (!err.context().empty() && err.context().match_elements<std::string>())
    message = err.context().get_as<std::string>(0);
  if (err.category() == caf::atom("sluice"))
    return failure{static_cast<ec>(err.code()), std::move(message)};
  if (err == caf::sec::request_timeout)
    return failure{ec::timeout, "the node did not answer in time"};
  if (auto reason = as_end_reason(err))
    return failure{ec::unknown_session,
                   std::string{"session ended: "} + to_string(*reason)};
  return failure{ec::internal, caf::to_string(err)};
}

caf::error to_error(const failure& f) {
  return caf::make_error(f.code, f.message);
}

} // namespace sluice
