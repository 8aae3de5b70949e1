#pragma once

// The one way sluice includes the gst-plugins-bad WebRTC library: its API is
// marked unstable, and we accept that for 1.22 (saying so silences a
// #warning in every file).

#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>
