#pragma once

// Registers sluice's two enums with CAF so they travel as caf::error: `ec`
// (why a request failed, category "sluice") and `end_reason` (why a session
// ended, category "end"). Also converts between caf::error and the CAF-free
// `failure` used by pipelines/ and signaling/.

#include <optional>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include "common/ec.hpp"
#include "common/end_reason.hpp"
#include "pipelines/result.hpp"

CAF_ERROR_CODE_ENUM(sluice::ec, "sluice")
CAF_ERROR_CODE_ENUM(sluice::end_reason, "end")

namespace sluice {

/// The end reason carried by an exit or down message, if it is one of ours.
/// CAF's own reasons map too: `kill` (a hard kill after a stuck close) to
/// `unhealthy`, anything else unexpected to nullopt.
std::optional<end_reason> as_end_reason(const caf::error& err);

/// Converts any caf::error to a failure: our `ec` keeps its code, CAF's
/// request timeout becomes ec::timeout, the rest ec::internal.
failure to_failure(const caf::error& err);

/// The caf::error for a failure, with the message as context.
caf::error to_error(const failure& f);

} // namespace sluice
