// End-to-end: Debian's Chromium opens the demo page served by a real sluice
// node, publishes its fake camera over WHIP by clicking the page's buttons,
// and the node's /debug/resources accounting is checked after every ending.
//
//   SLUICE_BINARY=build/sluice node --test tests/e2e/demo_page.test.mjs
//   (or: node tests/e2e/demo_page.test.mjs --sluice build/sluice)
//
// Needs tests/e2e/setup.sh to have run (chromium + node_modules). Missing
// prerequisites fail the test; they never skip it.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

const here = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.SLUICE_E2E_CHROMIUM || "/usr/bin/chromium";
const MEDIA_TIMEOUT_MS = 2000;
const SCREENSHOT = process.env.SLUICE_E2E_SCREENSHOT || "/tmp/e2e-live.png";
const WATCHDOG_MS = 85_000; // the whole file must finish well within 90 s
const COUNTS = ["sessions", "pipelines", "health_checks", "directory_entries", "gst_ingests"];
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
  "--allow-loopback-in-peer-connection",
];

function sluice_binary() {
  const i = process.argv.indexOf("--sluice");
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return process.env.SLUICE_BINARY;
}

// ---------------------------------------------------------------- the node

class SluiceNode {
  constructor(binary) {
    this.binary = path.resolve(binary); // the node runs in its own temp dir
    this.dir = mkdtempSync(path.join(tmpdir(), "sluice-e2e-"));
    this.record_dir = path.join(this.dir, "recordings");
    this.stderr_lines = [];
    this.child = null;
    this.exit = null; // {code, signal} once exited
  }

  async start() {
    this.child = spawn(this.binary, [
      // Loopback only: media never targets another address in tests.
      "--http.port", "0", "--http.bind", "127.0.0.1", "--ice.bind", "127.0.0.1",
      "--record.dir", this.record_dir,
      "--session.media_timeout", `${MEDIA_TIMEOUT_MS / 1000}s`,
    ], { cwd: this.dir, stdio: ["ignore", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => { this.exit = { code, signal }; resolve(this.exit); });
      this.child.on("error", (error) => { this.exit ??= { error: error.message }; resolve(this.exit); });
    });
    let partial = "";
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop();
      this.stderr_lines.push(...lines);
    });
    const ready = new Promise((resolve, reject) => {
      let out = "";
      this.child.stdout.setEncoding("utf8");
      this.child.stdout.on("data", (chunk) => {
        out += chunk;
        const m = /sluice ready http=\S+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      this.child.on("error", reject);
      this.exited.then((e) => reject(new Error(`sluice exited before ready: ${JSON.stringify(e)}`)));
      setTimeout(() => reject(new Error("sluice printed no ready line within 15 s")), 15_000).unref();
    });
    this.port = await ready;
    this.base = `http://127.0.0.1:${this.port}`;
  }

  async resources() {
    const response = await fetch(`${this.base}/debug/resources`, { cache: "no-store" });
    assert.equal(response.status, 200, "/debug/resources status");
    return response.json();
  }

  tail(n = 40) {
    return this.stderr_lines.slice(-n).join("\n");
  }

  grep(re) {
    return this.stderr_lines.filter((l) => re.test(l));
  }

  // SIGTERM, wait for a clean exit; SIGKILL if it hangs. Returns the exit.
  async stop(timeout_ms = 12_000) {
    if (!this.child || this.exit) return this.exit;
    this.child.kill("SIGTERM");
    const result = await Promise.race([this.exited, sleep(timeout_ms).then(() => null)]);
    if (result) return result;
    this.child.kill("SIGKILL");
    await this.exited;
    return { ...this.exit, hung: true };
  }

  kill_now() {
    if (this.child && !this.exit) this.child.kill("SIGKILL");
  }
}

// ------------------------------------------------------------- helpers

// Polls fn() until it returns a truthy value; fails with `what` and the last
// value seen.
async function wait_for(what, fn, timeout_ms, interval_ms = 100) {
  const deadline = Date.now() + timeout_ms;
  let last;
  for (;;) {
    last = await fn();
    if (last && last.ok !== false) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeout_ms} ms waiting for ${what}; last: ${JSON.stringify(last?.seen ?? last)}`);
    await sleep(interval_ms);
  }
}

function counts_of(r) {
  return Object.fromEntries(COUNTS.map((k) => [k, r[k]]));
}

function all_zero(r) {
  return COUNTS.every((k) => r[k] === 0) && r.streams.length === 0;
}

// Returns {reason: delta} of sessions_ended between two snapshots.
function ended_delta(before_r, after_r) {
  const d = {};
  for (const [k, v] of Object.entries(after_r.sessions_ended))
    if (v !== (before_r.sessions_ended[k] ?? 0)) d[k] = v - (before_r.sessions_ended[k] ?? 0);
  return d;
}

let playwright = null;
let node = null;
const browsers = new Set(); // every live browser context, closed in every path
const profiles = [];

// Every case starts on an idle node, whatever an earlier case left behind
// (a failed case's session ends by client_gone once its browser is closed).
async function wait_idle() {
  await wait_for("an idle node (every count 0)", async () => {
    const r = await node.resources();
    return all_zero(r) ? r : { ok: false, seen: counts_of(r) };
  }, MEDIA_TIMEOUT_MS + 4_000);
}

async function launch_browser() {
  await wait_idle();
  const profile = mkdtempSync(path.join(tmpdir(), "sluice-e2e-chromium-"));
  profiles.push(profile);
  const context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1000, height: 900 },
    timeout: 20_000,
  });
  browsers.add(context);
  context.on("close", () => browsers.delete(context));
  return context;
}

async function close_browser(context) {
  if (!browsers.has(context)) return;
  browsers.delete(context);
  await Promise.race([context.close().catch(() => {}), sleep(5_000)]);
}

// A page with the demo loaded; its console and errors are kept for failures.
async function open_demo(context) {
  const page = context.pages()[0] && context.pages()[0].url() === "about:blank"
    ? context.pages()[0] : await context.newPage();
  page.logs = [];
  page.on("console", (m) => page.logs.push(`console.${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => page.logs.push(`pageerror: ${e.message}`));
  await page.goto(`${node.base}/`, { waitUntil: "load", timeout: 10_000 });
  return page;
}

async function page_text(page, id) {
  return (await page.locator(`#${id}`).textContent({ timeout: 2_000 }))?.trim();
}

// Fills the stream id, clicks Publish, waits for RTCPeerConnection
// "connected" on the page.
async function publish(page, stream) {
  await page.locator("#stream").fill(stream);
  await page.locator("#publish").click();
  try {
    await page.waitForFunction(
      () => document.getElementById("state").textContent === "connected",
      null, { timeout: 15_000, polling: 50 });
  } catch (e) {
    throw new Error(`page never showed state "connected": state="${await page_text(page, "state")}" `
      + `error="${await page_text(page, "error")}"\n${page.logs.join("\n")}`);
  }
  assert.equal(await page_text(page, "error"), "-", "page error field");
  const location = await page_text(page, "location");
  assert.match(location, new RegExp(`/whip/${stream}/[^/]+$`), "page shows the WHIP resource");
  return location;
}

// Waits until the node lists `stream` as live with a recording.
async function wait_live(stream, timeout_ms = 8_000) {
  return wait_for(`stream ${stream} live in /debug/resources`, async () => {
    const r = await node.resources();
    const s = r.streams.find((x) => x.stream_id === stream);
    const ok = s && s.state === "live" && typeof s.recording === "string" && s.recording.length > 0;
    return ok ? { r, s } : { ok: false, seen: r };
  }, timeout_ms);
}

// Waits until sessions_ended grew by one and every count is back to zero.
async function wait_ended_and_empty(before_r, timeout_ms) {
  return wait_for("session ended and every count back to 0", async () => {
    const r = await node.resources();
    const delta = ended_delta(before_r, r);
    const n = Object.values(delta).reduce((a, b) => a + b, 0);
    return n >= 1 && all_zero(r)
      ? { r, delta, at: Date.now() }
      : { ok: false, seen: { delta, counts: counts_of(r), streams: r.streams } };
  }, timeout_ms, 50);
}

function check_recording(file, min_bytes = 20 * 1024) {
  const abs = path.isAbsolute(file) ? file : path.join(node.dir, file);
  assert.ok(existsSync(abs), `recording ${abs} exists`);
  const size = statSync(abs).size;
  assert.ok(size > min_bytes, `recording ${abs} is ${size} bytes, want > ${min_bytes}`);
  let how;
  if (spawnSync("sh", ["-c", "command -v gst-discoverer-1.0"]).status === 0) {
    const p = spawnSync("gst-discoverer-1.0", [abs], { encoding: "utf8", timeout: 15_000 });
    const out = `${p.stdout}${p.stderr}`;
    assert.equal(p.status, 0, `gst-discoverer-1.0 failed:\n${out}`);
    assert.match(out, /^\s*video( #\d+)?: /m, `no video track in ${abs}:\n${out}`);
    how = out.split("\n").filter((l) => /^\s*(video|audio|container)( #\d+)?: /.test(l))
      .map((l) => l.trim()).join(", ");
  } else {
    const p = spawnSync("gst-launch-1.0", ["-q", "filesrc", `location=${abs}`, "!",
      "matroskademux", "name=d", "d.video_0", "!", "fakesink"], { encoding: "utf8", timeout: 15_000 });
    assert.equal(p.status, 0, `gst-launch-1.0 found no playable video_0 in ${abs}:\n${p.stdout}${p.stderr}`);
    how = "gst-launch-1.0 matroskademux d.video_0 ok";
  }
  return { abs, size, how };
}

// Adds the node's stderr tail and the pages' logs to a failure.
async function with_context(pages, body) {
  try {
    return await body();
  } catch (e) {
    let extra = `\n--- sluice stderr (last 40 lines) ---\n${node ? node.tail() : "(no node)"}`;
    for (const p of pages()) if (p?.logs?.length) extra += `\n--- page log ---\n${p.logs.slice(-20).join("\n")}`;
    e.message += extra;
    throw e;
  }
}

// ---------------------------------------------------------------- setup

const watchdog = setTimeout(() => {
  console.error(`e2e watchdog: still running after ${WATCHDOG_MS} ms; killing sluice and chromium`);
  if (node) { console.error(node.tail()); node.kill_now(); }
  for (const c of browsers) c.close().catch(() => {});
  setTimeout(() => process.exit(1), 2_000).unref();
}, WATCHDOG_MS);
watchdog.unref();
process.on("exit", () => { if (node) node.kill_now(); });

before(async () => {
  const problems = [];
  const binary = sluice_binary();
  if (!binary) problems.push("SLUICE_BINARY is not set (or pass --sluice <path>)");
  else if (!existsSync(binary)) problems.push(`sluice binary ${binary} does not exist (build it: ninja -C build sluice)`);
  if (!existsSync(CHROMIUM)) problems.push(`${CHROMIUM} is missing`);
  try {
    playwright = await import("playwright-core");
  } catch (e) {
    problems.push(`playwright-core cannot be loaded from ${here}/node_modules (${e.code || e.message})`);
  }
  if (problems.length)
    throw new Error(`e2e prerequisites missing:\n  - ${problems.join("\n  - ")}\n`
      + `Run tests/e2e/setup.sh (installs chromium and npm ci's playwright-core), then rerun.`);
  node = new SluiceNode(binary);
  await node.start();
});

after(async () => {
  try {
    for (const c of [...browsers]) await close_browser(c);
    if (node) {
      const exit = await node.stop();
      const failed = !exit || exit.hung || exit.code !== 0;
      if (failed) console.error(`sluice did not stop cleanly: ${JSON.stringify(exit)}\n${node.tail()}`);
      else rmSync(node.dir, { recursive: true, force: true });
      assert.ok(!failed, `sluice exit after SIGTERM: ${JSON.stringify(exit)}`);
    }
  } finally {
    for (const p of profiles) rmSync(p, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
});

// ---------------------------------------------------------------- cases

test("publish e2e1 from the demo page, Stop ends it with client_stop and a playable recording",
  { timeout: 30_000 }, async (t) => {
    let page;
    const context = await launch_browser();
    try {
      await with_context(() => [page], async () => {
        page = await open_demo(context);
        assert.equal(await page_text(page, "state"), "idle");
        const t0 = Date.now();
        await publish(page, "e2e1");
        const { r, s } = await wait_live("e2e1");
        t.diagnostic(`connected+live after ${Date.now() - t0} ms; recording=${s.recording}`);
        assert.equal(r.sessions, 1, "one live session");
        assert.equal(r.streams.length, 1, "one stream");
        assert.equal(r.directory_entries, 1, "one directory entry");

        await sleep(4_000); // record ~4 s
        // The page's resource panel refreshes every 2 s; it shows the session by now.
        await page.waitForFunction(
          () => document.getElementById("resources").textContent.includes('"e2e1"'),
          null, { timeout: 5_000 });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        t.diagnostic(`screenshot: ${SCREENSHOT}`);

        const before_stop = await node.resources();
        assert.equal(before_stop.streams[0]?.state, "live", "still live before Stop");
        await page.locator("#stop").click();
        await page.waitForFunction(() => document.getElementById("state").textContent === "closed",
          null, { timeout: 10_000 });
        assert.equal(await page_text(page, "error"), "-", "Stop shows no error");
        // DELETE answers 200 only once the session is gone, so no waiting is
        // needed in principle; allow a short poll for the counters.
        const done = await wait_ended_and_empty(before_stop, 3_000);
        assert.deepEqual(done.delta, { client_stop: 1 }, "ended with client_stop");

        const rec = check_recording(s.recording);
        t.diagnostic(`recording ${rec.abs}: ${rec.size} bytes; ${rec.how}`);
      });
    } finally {
      await close_browser(context);
    }
  });

// Closing without Stop. Closing the tab fires the page's pagehide handler,
// which sends the WHIP DELETE (keepalive): client_stop at once. Without that
// handler (measured with Chromium 156) neither a closed tab nor a closed
// browser sends DTLS close_notify or RTCP BYE, so the node ends the session
// with client_gone after session.media_timeout; a closed browser may still
// go either way. pc.close() sends close_notify: client_closed within ~20 ms.
for (const how of ["tab", "browser", "peer connection"]) {
  test(`publish e2e1, close the ${how} without Stop: the session ends within media_timeout + 2 s`,
    { timeout: 30_000 }, async (t) => {
      let page;
      const context = await launch_browser();
      try {
        await with_context(() => [page], async () => {
          page = await open_demo(context);
          await publish(page, "e2e1");
          await wait_live("e2e1");
          await sleep(1_500); // media flowing for a while
          const before_close = await node.resources();
          const lines_before = node.stderr_lines.length;
          const t0 = Date.now();
          if (how === "tab") await page.close({ runBeforeUnload: false });
          else if (how === "browser") await close_browser(context);
          else await page.evaluate(() => pc.close()); // the page's own RTCPeerConnection
          const t_closed = Date.now();
          const done = await wait_ended_and_empty(before_close, MEDIA_TIMEOUT_MS + 2_000 + 1_000);
          const elapsed = done.at - t0;
          const reasons = Object.keys(done.delta);
          const via = node.stderr_lines.slice(lines_before)
            .map((l) => /client closed the transport via (\S+)/.exec(l)?.[1]).find(Boolean);
          const ended = node.stderr_lines.slice(lines_before).find((l) => /ended reason=/.test(l));
          const finding = `closing the ${how} (close call took ${t_closed - t0} ms): ended `
            + `${JSON.stringify(done.delta)} ${via ? `via ${via} ` : ""}after ${elapsed} ms`;
          t.diagnostic(finding);
          if (ended) t.diagnostic(`node: ${ended.replace(/^.*\] /, "")}`);
          console.log(`E2E FINDING: ${finding}`);
          assert.equal(reasons.length, 1, `exactly one ending: ${JSON.stringify(done.delta)}`);
          // pc.close() makes Chromium send a DTLS close_notify: the node must
          // end the session at once with client_closed. A closed tab sends the
          // DELETE from pagehide; a closed browser may end any of three ways.
          if (how === "peer connection") assert.equal(reasons[0], "client_closed", "reason");
          else if (how === "tab") assert.equal(reasons[0], "client_stop", "reason (pagehide DELETE)");
          else assert.ok(["client_stop", "client_closed", "client_gone"].includes(reasons[0]),
                         `reason ${reasons[0]}`);
          assert.ok(elapsed <= MEDIA_TIMEOUT_MS + 2_000,
            `ended ${elapsed} ms after close, want <= ${MEDIA_TIMEOUT_MS + 2_000}`);
        });
      } finally {
        await close_browser(context);
      }
    });
}

test("publish e2e2 twice (reconnect from a second page): takeover ends the first session",
  { timeout: 30_000 }, async (t) => {
    let first, second;
    const context = await launch_browser();
    try {
      await with_context(() => [first, second], async () => {
        first = await open_demo(context);
        const first_location = await publish(first, "e2e2");
        const { s: s1 } = await wait_live("e2e2");
        second = await open_demo(context);
        const before_takeover = await node.resources();
        const second_location = await publish(second, "e2e2");
        assert.notEqual(second_location, first_location, "the second publish got a new WHIP resource");
        const { r, s: s2 } = await wait_for("the second session live and the first ended by takeover", async () => {
          const r = await node.resources();
          const s = r.streams.find((x) => x.stream_id === "e2e2");
          const delta = ended_delta(before_takeover, r);
          const ok = s && s.state === "live" && s.session_id !== s1.session_id && delta.takeover === 1
            && r.sessions === 1;
          return ok ? { r, s } : { ok: false, seen: { delta, counts: counts_of(r), streams: r.streams } };
        }, 8_000);
        assert.deepEqual(ended_delta(before_takeover, r), { takeover: 1 }, "only the takeover ended");
        assert.equal(r.directory_entries, 1, "exactly one directory entry");
        assert.equal(r.streams.length, 1, "exactly one stream");
        assert.ok(s2.recording && s2.recording !== s1.recording, "the new session records to a new file");
        t.diagnostic(`takeover: ${s1.session_id} -> ${s2.session_id}; `
          + `first page shows state="${await page_text(first, "state")}"`);
        await sleep(2_000); // let the new owner record a little
        t.diagnostic(`2 s later the first page shows state="${await page_text(first, "state")}"`);

        // Stop on the superseded page: its DELETE must not touch the new owner.
        await first.locator("#stop").click();
        await first.waitForFunction(() => document.getElementById("state").textContent === "closed",
          null, { timeout: 10_000 });
        t.diagnostic(`Stop on the superseded page shows error="${await page_text(first, "error")}"`);
        const still = await node.resources();
        assert.equal(still.streams.find((x) => x.stream_id === "e2e2")?.session_id, s2.session_id,
          "Stop on the old page leaves the new session alone");
        assert.equal(still.sessions, 1);

        const before_stop = await node.resources();
        await second.locator("#stop").click();
        await second.waitForFunction(() => document.getElementById("state").textContent === "closed",
          null, { timeout: 10_000 });
        assert.equal(await page_text(second, "error"), "-", "Stop shows no error");
        const done = await wait_ended_and_empty(before_stop, 3_000);
        assert.deepEqual(done.delta, { client_stop: 1 });
        const rec = check_recording(s2.recording, 4 * 1024);
        t.diagnostic(`new owner's recording: ${rec.size} bytes; ${rec.how}`);
      });
    } finally {
      await close_browser(context);
    }
  });

