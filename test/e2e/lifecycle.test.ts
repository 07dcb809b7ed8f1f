/**
 * End to end: the flow's session comes and goes under a bridge that stays up. Node-RED
 * restarts (Claude's own list changes survive), stops or dies (tools fail at once with a
 * clear error), and is redeployed (the bridge attaches to the new session by itself).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { TestBroker } from "../helpers/broker.js";
import type { FlowNode } from "../helpers/node-red.js";
import { eventually, type BridgeClient } from "../bridge/harness.js";
import {
  attached,
  flowStatus,
  gateNode,
  injectNode,
  launchBridge,
  LINK_KEY,
  refused,
  SESSION,
  sessionNode,
  startFlowBridge,
  startStack,
  tab,
  type Stack,
} from "./stack.js";

function flow(muted: string[]): (prefix: string, broker: TestBroker) => FlowNode[] {
  return (prefix, broker) => [
    tab(),
    sessionNode("s-home", SESSION, prefix, broker, { admitted: ["garage/#"], muted, linkKey: LINK_KEY }),
    injectNode("i-porch", "g-home", { topic: "porch/light", payload: "the porch light is on" }),
    gateNode("g-home", "s-home", "lists"),
  ];
}

let stack: Stack;
let claude: BridgeClient;

before(async () => {
  stack = await startStack(flow([]));
  claude = await startFlowBridge(stack);
});
after(async () => {
  await stack?.stop();
});

/** Node-RED is back (same user directory): waits for the new session and for the bridge to attach to it. */
async function backOnline(): Promise<void> {
  stack.epoch = await stack.status.online(stack.epoch);
  await attached(claude, stack.epoch);
}

async function porchNotification(text: string): Promise<void> {
  const from = claude.notifications.length;
  await stack.red.inject("i-porch", [
    { p: "topic", v: "porch/light", vt: "str" },
    { p: "payload", v: text, vt: "str" },
  ]);
  await claude.nextNotification((n) => n.content === text && n.meta.topic === "porch/light", from);
}

/**
 * The tool's error once the bridge has the offline status too. The bridge hears it about when
 * the test does; should it come a moment later, the call in between goes out to the flow and
 * times out, which is not the error looked for, so it is made once more.
 */
async function offlineError(tool: string, args: Record<string, unknown>): Promise<string> {
  let text = await refused(claude, tool, args);
  if (!/ is offline /.test(text)) text = await refused(claude, tool, args);
  return text;
}

test("with Node-RED stopped, tools fail at once saying the flow is offline; a bridge started meanwhile attaches when it is back", async () => {
  await stack.red.stop();
  assert.equal((await stack.status.offline()).reason, "shutdown");
  assert.match(await offlineError("admit", { pattern: "attic/#" }), /^admit failed: the flow hosting session "home" is offline \(last seen [^)]+\)$/);
  const late = await launchBridge(stack);
  // Until its broker connection brings the retained status, the new bridge knows of no flow at all.
  let text = "";
  const knowsNoFlow = /no flow has published a status|not connected to the broker/;
  await eventually(async () => !knowsNoFlow.test((text = await refused(late, "status", {}))), "the new bridge to read the retained status");
  assert.match(text, /^status failed: the flow hosting session "home" is offline/);
  await stack.red.start();
  await backOnline();
  await attached(late, stack.epoch);
  await late.close();
});

test("with Node-RED killed, the broker's Last Will tells the bridge, and tools fail at once saying so", async () => {
  await stack.red.kill();
  assert.equal((await stack.status.offline()).reason, "connection lost");
  assert.match(await offlineError("status", {}), /^status failed: the flow hosting session "home" is offline \(last seen [^)]+\)$/);
  await stack.red.start();
  await backOnline();
});

test("Claude's admit on the flow's session survives a Node-RED restart, and the same bridge carries on", async () => {
  const pid = claude.pid;
  assert.match(await claude.ok("admit", { pattern: "porch/#" }), /Admitted "porch\/#"/);
  await porchNotification("before the restart");

  await stack.red.restart();
  await backOnline();
  const status = await flowStatus(claude);
  assert.ok(status.admitted.includes("porch/#"), `porch/# still admitted: ${status.admitted.join(", ")}`);
  assert.ok(!status.pinned.admitted.includes("porch/#"), "Claude's pattern, not the owner's");
  await porchNotification("after the restart");
  assert.equal(claude.pid, pid, "the bridge was not restarted");
});

test("a full redeploy while the bridge is connected: the bridge attaches to the new session by itself", async () => {
  const pid = claude.pid;
  const before = stack.epoch;
  await stack.red.deploy(flow(["porch/noise/#"])(stack.prefix, stack.broker));
  await backOnline();
  assert.notEqual(stack.epoch, before);
  const status = await flowStatus(claude);
  assert.deepEqual(status.pinned.muted, ["porch/noise/#"], "the redeployed session's pinned list");
  assert.match(await claude.ok("watch", { pattern: "cellar/#" }), /Watching "cellar\/#"/);
  await porchNotification("after the redeploy");
  assert.equal(claude.pid, pid, "the bridge was not restarted");
});

test("SESSION_HOST=auto follows the flow: a bridge hosting the session while Node-RED is down hands it over when the flow comes online and takes it back when the flow stays away, never leaving the flow's session marked offline", async () => {
  await stack.red.stop();
  await stack.status.offline();
  const standIn = await launchBridge(stack, "auto", { SESSION_TAKEBACK_AFTER: "2" });
  assert.equal((await flowStatus(standIn)).mode, "bridge", "with the flow down, auto mode hosts the session itself");
  assert.match(await standIn.ok("admit", { pattern: "loft/#" }), /Admitted "loft\/#"/);

  await stack.red.start();
  await backOnline();
  const handedOver = await standIn.nextNotification((n) => /now hosted by the Node-RED flow/.test(n.content), 0, 20_000);
  assert.equal(handedOver.meta.sender, "bridge");
  const viaFlow = await attached(standIn, stack.epoch);
  assert.equal(viaFlow.mode, "flow");
  assert.match(viaFlow.modeReason, /handed the session to it/);
  assert.equal(stack.status.latest()?.host, "flow", "the handover publishes no offline status over the flow's online one");

  await stack.red.stop();
  await stack.status.offline();
  await standIn.nextNotification((n) => /has been away for more than 2s/.test(n.content), 0, 20_000);
  const own = await flowStatus(standIn);
  assert.equal(own.mode, "bridge");
  assert.match(own.modeReason, /SESSION_TAKEBACK_AFTER/);
  assert.ok(own.admitted.includes("loft/#"), "the bridge's own lists are back");
  await eventually(() => stack.status.latest()?.status === "online" && stack.status.latest()?.host === "bridge", "the bridge's online status");

  await stack.red.start();
  await backOnline();
  await eventually(async () => (await flowStatus(standIn)).mode === "flow", "the session handed to the flow again", 20_000);
  await standIn.close();
  assert.equal(stack.status.latest()?.status, "online", `the stand-in's end leaves the flow's session online (stand-in stderr: ${standIn.stderr()})`);
  assert.equal(stack.status.latest()?.link?.epoch, stack.epoch, "the flow session is still the one online");
  assert.match(await claude.ok("watch", { pattern: "shed/#" }), /Watching "shed\/#"/);
});
