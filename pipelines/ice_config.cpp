#include "pipelines/ice_config.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <nice/agent.h>
#include <spdlog/spdlog.h>

#include "pipelines/gst/ref.hpp"

namespace sluice::pipelines {

std::vector<std::string> local_interface_addresses() {
  std::vector<std::string> v4;
  std::vector<std::string> v6;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0)
    return {};
  for (auto* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || (it->ifa_flags & IFF_UP) == 0)
      continue;
    char buf[INET6_ADDRSTRLEN] = {};
    if (it->ifa_addr->sa_family == AF_INET) {
      auto* sin = reinterpret_cast<sockaddr_in*>(it->ifa_addr);
      inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
      v4.emplace_back(buf);
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(it->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
        continue;
      inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf));
      v6.emplace_back(buf);
    }
  }
  freeifaddrs(list);
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

result<bool> configure_ice(GstElement* webrtcbin, const ice_settings& ice) {
  GObject* raw_ice = nullptr;
  g_object_get(webrtcbin, "ice-agent", &raw_ice, nullptr);
  auto ice_agent = gst::ref<GObject>::adopt(raw_ice);
  if (!ice_agent)
    return failure{ec::internal, "webrtcbin has no ice-agent"};
  // The GstWebRTCNice would otherwise add TCP candidates nobody uses.
  g_object_set(ice_agent.get(), "ice-tcp", FALSE, nullptr);
  if (ice.min_port != 0 || ice.max_port != 0)
    g_object_set(ice_agent.get(), "min-rtp-port", guint{ice.min_port},
                 "max-rtp-port", guint{ice.max_port}, nullptr);
  NiceAgent* raw_agent = nullptr;
  g_object_get(ice_agent.get(), "agent", &raw_agent, nullptr);
  auto agent = gst::ref<NiceAgent>::adopt(raw_agent);
  if (!agent)
    return failure{ec::internal, "the ICE agent has no NiceAgent"};
  g_object_set(agent.get(), "upnp", FALSE, nullptr);
  auto addresses =
    ice.bind_addresses.empty() ? local_interface_addresses() : ice.bind_addresses;
  if (addresses.empty())
    return failure{ec::internal, "no local address to gather on"};
  for (auto& text : addresses) {
    NiceAddress addr;
    nice_address_init(&addr);
    if (!nice_address_set_from_string(&addr, text.c_str()))
      return failure{ec::internal, "not an IP address: " + text};
    // Once any address is added, libnice gathers on these only; without
    // this it skips loopback and finds nothing in a loopback-only namespace.
    nice_agent_add_local_address(agent.get(), &addr);
  }
  if (!ice.announce_address.empty()) {
    NiceAddress addr;
    nice_address_init(&addr);
    if (!nice_address_set_from_string(&addr, ice.announce_address.c_str()))
      return failure{ec::internal,
                     "announce address is not an IP: " + ice.announce_address};
  }
  return true;
}

} // namespace sluice::pipelines
