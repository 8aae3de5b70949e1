#include "actors/type_registry.hpp"

#include <caf/deep_to_string.hpp>

#include "actors/interfaces.hpp"

namespace sluice {

namespace {

// CAF 0.17.6's add_error_category<T>(atom) does not compile (its lambda has
// the wrong signature), so we pass the renderer ourselves.
template <class Enum>
caf::actor_system_config::error_renderer renderer() {
  return [](uint8_t code, caf::atom_value category, const caf::message& ctx) {
    std::string out = caf::to_string(category);
    out += ": ";
    out += to_string(static_cast<Enum>(code));
    if (!ctx.empty() && ctx.match_elements<std::string>()) {
      out += " (";
      out += ctx.get_as<std::string>(0);
      out += ")";
    }
    return out;
  };
}

} // namespace

void register_sluice_types(caf::actor_system_config& cfg) {
  cfg.add_error_category(caf::atom("sluice"), renderer<ec>());
  cfg.add_error_category(caf::atom("end"), renderer<end_reason>());
  cfg.add_message_type<publish_result>("sluice::publish_result");
  cfg.add_message_type<directory_entry>("sluice::directory_entry");
  cfg.add_message_type<std::vector<directory_entry>>(
    "std::vector<sluice::directory_entry>");
  cfg.add_message_type<pipeline_stats>("sluice::pipeline_stats");
  cfg.add_message_type<session_summary>("sluice::session_summary");
  cfg.add_message_type<resource_report>("sluice::resource_report");
  cfg.add_message_type<session_phase>("sluice::session_phase");
  cfg.add_message_type<pipelines::ice_state>("sluice::ice_state");
}

} // namespace sluice
