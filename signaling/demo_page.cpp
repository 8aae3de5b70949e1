#include "signaling/demo_page.hpp"

namespace sluice::signaling {

namespace {

constexpr std::string_view page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice demo</title>
<link rel="icon" href="data:,">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; }
  video { width: 100%; max-width: 32em; background: #111; border-radius: 4px; }
  .row { display: flex; gap: .5em; align-items: center; margin: .8em 0; flex-wrap: wrap; }
  input { font: inherit; padding: .3em; }
  button { font: inherit; padding: .3em 1em; }
  dl { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
  dt { color: #666; }
  dd { margin: 0; font-family: monospace; word-break: break-all; }
  pre { background: #f4f4f4; padding: .8em; overflow: auto; max-height: 24em; }
  .error { color: #b00; }
</style>
</head>
<body>
<h1>sluice: publish over WHIP</h1>
<video id="preview" autoplay muted playsinline></video>
<div class="row">
  <label for="stream">Stream id</label>
  <input id="stream" value="demo" maxlength="128">
  <button id="publish">Publish</button>
  <button id="stop" disabled>Stop</button>
</div>
<dl>
  <dt>State</dt><dd id="state">idle</dd>
  <dt>Location</dt><dd id="location">-</dd>
  <dt>Error</dt><dd id="error" class="error">-</dd>
</dl>
<h2>/debug/resources</h2>
<pre id="resources">loading...</pre>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let pc = null;
let media = null;
let location_url = null;

function show_state(text) { $("state").textContent = text; }
function show_error(text) { $("error").textContent = text || "-"; }

// Resolves when ICE gathering completes or after max_ms, whichever is first,
// so the POSTed offer carries the candidates gathered so far.
function gathering_done(peer, max_ms) {
  return new Promise((resolve) => {
    if (peer.iceGatheringState === "complete") return resolve();
    const timer = setTimeout(resolve, max_ms);
    peer.addEventListener("icegatheringstatechange", () => {
      if (peer.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
    });
  });
}

async function describe_failure(response) {
  try {
    const body = await response.json();
    return response.status + " " + body.error + ": " + body.message;
  } catch (e) {
    return response.status + " " + response.statusText;
  }
}

async function publish() {
  show_error("");
  $("publish").disabled = true;
  try {
    const id = $("stream").value.trim();
    if (!media) {
      show_state("asking for camera and microphone");
      media = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      $("preview").srcObject = media;
    }
    const peer = new RTCPeerConnection();
    pc = peer;
    for (const track of media.getTracks())
      pc.addTransceiver(track, { direction: "sendonly", streams: [media] });
    pc.addEventListener("connectionstatechange", () => {
      if (pc !== peer) return;
      show_state(peer.connectionState);
      // The node ended the session (takeover, timeout) or the network died:
      // clean up so Publish works again; the DELETE may 404, quietly.
      if (peer.connectionState === "failed") stop(true, "failed");
    });
    await pc.setLocalDescription(await pc.createOffer());
    show_state("gathering ICE candidates");
    await gathering_done(pc, 2000);
    show_state("sending offer");
    const response = await fetch("/whip/" + encodeURIComponent(id), {
      method: "POST",
      headers: { "Content-Type": "application/sdp" },
      body: pc.localDescription.sdp,
    });
    if (response.status !== 201) throw new Error(await describe_failure(response));
    location_url = new URL(response.headers.get("Location"), window.location.href).href;
    $("location").textContent = location_url;
    await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
    show_state(pc.connectionState);
    $("stop").disabled = false;
  } catch (e) {
    show_error(e.message || String(e));
    // The session may exist already (e.g. the answer did not apply); end it
    // quietly so the first error stays on screen.
    await stop(true);
  }
}

async function stop(quiet, final_state) {
  $("stop").disabled = true;
  try {
    if (location_url) {
      const response = await fetch(location_url, { method: "DELETE" });
      if (!response.ok && !quiet) show_error(await describe_failure(response));
    }
  } catch (e) {
    if (!quiet) show_error(e.message || String(e));
  }
  location_url = null;
  $("location").textContent = "-";
  if (pc) pc.close();
  pc = null;
  show_state(final_state || "closed");
  $("publish").disabled = false;
}

// Closing the tab would otherwise leave the session to the media timeout.
window.addEventListener("pagehide", () => {
  if (location_url) fetch(location_url, { method: "DELETE", keepalive: true });
});

async function refresh_resources() {
  try {
    const response = await fetch("/debug/resources", { cache: "no-store" });
    const text = await response.text();
    try { $("resources").textContent = JSON.stringify(JSON.parse(text), null, 2); }
    catch (e) { $("resources").textContent = text; }
  } catch (e) {
    $("resources").textContent = "unreachable: " + (e.message || e);
  }
}

$("publish").addEventListener("click", publish);
$("stop").addEventListener("click", () => stop(false));
refresh_resources();
setInterval(refresh_resources, 2000);
</script>
</body>
</html>
)html";

} // namespace

std::string_view demo_page_html() noexcept {
  return page;
}

} // namespace sluice::signaling
