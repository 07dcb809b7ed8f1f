// The README's pictures, taken from the real editor: starts two brokers (the house's and
// Claude's) and Node-RED with this package (the test helpers' way, from the built dist/),
// deploys an example canvas, attaches a bridge over the flow link, sends some home
// traffic, and has headless Chromium photograph the canvas and the Claude sidebar.
// Run `npm run screenshots` (it builds first); writes docs/images/canvas.png and sidebar.png.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (path) => import(join(root, "dist", path));
const { startBroker } = await dist("test/helpers/broker.js");
const { startNodeRed } = await dist("test/browser/runtime.js");
const { chromiumMissing, launchChromium, openEditor, showSidebarTab } = await dist("test/browser/chromium.js");
const { LinkClient } = await dist("session/link/client.js");

const missing = chromiumMissing();
if (missing) {
  console.error(`screenshots: ${missing}`);
  process.exit(1);
}

const PREFIX = "claude";
const LINK_KEY = "screenshot-link-key-0123456789abcdefghijklmn";
const images = join(root, "docs", "images");

// The session subscribes to its own lists on its broker; the house's traffic reaches it only through the gate.
function canvas(claudeBroker, homeBroker) {
  const debug = (id, name, x, y) => ({ id, type: "debug", z: "home", name, active: true, tosidebar: true, console: false, tostatus: false, complete: "payload", targetType: "msg", x, y, wires: [] });
  const inject = (id, name, topic, payload, x, y, wires) => ({
    id, type: "inject", z: "home", name, props: [{ p: "payload" }, { p: "topic", vt: "str" }], repeat: "", crontab: "", once: false, onceDelay: 0.1,
    topic, payload, payloadType: "str", x, y, wires,
  });
  return [
    { id: "home", type: "tab", label: "Home" },
    {
      id: "session", type: "claude-session", name: "home", broker: claudeBroker.url, prefix: PREFIX, qos: 1, heartbeat: 60,
      admitted: ["home/front_door"], watched: ["home/+/temperature"], muted: ["home/garage/motion"],
      credentials: { linkKey: LINK_KEY },
    },
    { id: "broker", type: "mqtt-broker", name: "home broker", broker: "127.0.0.1", port: String(homeBroker.port), clientid: "", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
    { id: "c1", type: "comment", z: "home", name: "Home events, gated into Claude", info: "", x: 190, y: 40, wires: [] },
    inject("door", "front door", "home/front_door", "open", 150, 100, [["gate"]]),
    { id: "sensors", type: "mqtt in", z: "home", name: "", topic: "home/#", qos: "1", datatype: "utf8", broker: "broker", nl: false, rap: true, rh: 0, inputs: 0, x: 140, y: 160, wires: [["gate"]] },
    { id: "gate", type: "claude-gate", z: "home", name: "", session: "session", mode: "lists", subject: "topic", subjectType: "msg", x: 370, y: 130, wires: [["admitted"], ["watched"], ["dropped"]] },
    debug("admitted", "to Claude", 580, 90),
    debug("watched", "to the inbox", 590, 130),
    debug("dropped", "dropped", 580, 170),
    { id: "c2", type: "comment", z: "home", name: "Claude switches the light", info: "", x: 170, y: 240, wires: [] },
    inject("lighton", "light on", "home/light/set", "on", 140, 300, [["publish"]]),
    { id: "publish", type: "claude-publish", z: "home", name: "", session: "session", mode: "publish", topic: "home/light/set", target: "", raw: true, retain: false, x: 380, y: 300, wires: [] },
  ];
}

async function until(check, what) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`screenshots: timed out waiting for ${what}`);
}

const claudeBroker = await startBroker();
const homeBroker = await startBroker();
const red = await startNodeRed();
const bridge = new LinkClient({ brokerUrl: claudeBroker.url, prefix: PREFIX, name: "home", key: LINK_KEY, callTimeoutMs: 2000 });
const house = await mqtt.connectAsync(homeBroker.url);
const browser = await launchChromium({ width: 1400, height: 760 });
try {
  await red.deploy(canvas(claudeBroker, homeBroker));
  bridge.start();
  // Claude's own additions, as its tools would make them over the link.
  await until(async () => !(await bridge.call("watch", { pattern: "home/garden/#" })).isError, "the bridge's first tool call");
  await bridge.call("mute", { pattern: "home/+/battery" });

  const page = await openEditor(browser.context, red.url);
  await page.evaluate(() => window.RED.actions.invoke("core:toggle-show-tips", false));
  await page.locator(".red-ui-flow-node-status-label", { hasText: "connected" }).first().waitFor();
  await page.locator("#red-ui-palette-search input").pressSequentially("claude");

  // Traffic: the door admitted, temperatures watched, motion muted, the rest dropped.
  await fetch(`${red.url}inject/door`, { method: "POST" });
  for (const [room, value] of [["kitchen", "21.5"], ["bedroom", "19.0"], ["kitchen", "21.7"], ["garden", "14.2"]]) {
    await house.publishAsync(`home/${room}/temperature`, value);
  }
  await house.publishAsync("home/garage/motion", "detected");
  await house.publishAsync("home/hallway/humidity", "48");
  await house.publishAsync("home/front_door", JSON.stringify({ sender: "doorbell", ts: new Date().toISOString(), content: "Someone rang the bell" }));
  let admitted = 0;
  await until(async () => {
    const response = await fetch(`${red.url}claude-channel/sessions`);
    const [session] = await response.json();
    admitted = session?.counts.admitted ?? 0;
    return admitted >= 2 && session.counts.watched >= 4 && session.counts.dropped.unmatched >= 1;
  }, "the traffic to be gated");

  mkdirSync(images, { recursive: true });
  await showSidebarTab(page, "debug");
  await page.locator(".red-ui-flow-node-status-label", { hasText: "▲2 ◆4 ✕2" }).waitFor();
  await until(async () => (await page.locator(".red-ui-debug-msg").count()) === 8, "the eight debug messages");
  // The tab button's tooltip goes when the pointer leaves it.
  await page.mouse.move(600, 600);
  await until(async () => (await page.locator(".red-ui-popover:visible").count()) === 0, "the tooltip to go");
  await page.screenshot({ path: join(images, "canvas.png") });

  const separator = await page.locator("#red-ui-sidebar-separator").boundingBox();
  await page.mouse.move(separator.x + separator.width / 2, separator.y + 200);
  await page.mouse.down();
  await page.mouse.move(separator.x - 160, separator.y + 200, { steps: 8 });
  await page.mouse.up();
  await showSidebarTab(page, "claude-channel");
  await page.locator('.claude-sidebar-session [data-count="admitted"]', { hasText: new RegExp(`^${admitted}$`) }).waitFor();
  // The sidebar down to the end of the session's panel.
  const sidebar = await page.locator("#red-ui-sidebar").boundingBox();
  const panel = await page.locator(".claude-sidebar-session").last().boundingBox();
  await page.screenshot({ path: join(images, "sidebar.png"), clip: { ...sidebar, height: panel.y + panel.height + 8 - sidebar.y } });
  console.error(`screenshots: wrote ${join("docs", "images", "canvas.png")} and sidebar.png`);
} finally {
  await browser.close();
  await house.endAsync();
  await bridge.stop();
  await red.stop();
  await homeBroker.stop();
  await claudeBroker.stop();
}
