import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { nextEvent, sessionOptions, uniquePrefix } from "../helpers/session.js";
import type { SessionOptions } from "../../session/types.js";
import { linkedSession, type LinkedSession } from "../../session/link/hosted.js";
import { Peer, eventually, startBridge, type BridgeClient } from "./harness.js";

const KEY = "a-link-key-of-at-least-thirty-two-characters";
let broker: TestBroker;
let peer: Peer;
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  broker = await startBroker();
  peer = await Peer.connect(broker.url);
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await peer.client.endAsync();
  await broker.stop();
});

async function flowSession(prefix: string, pinned = {}, extra: Partial<SessionOptions> = {}): Promise<{ session: LinkedSession["session"]; host: LinkedSession["link"] }> {
  const { session, link: host, attached } = linkedSession(sessionOptions(broker.url, { name: "home", prefix, host: "flow", pinned, ...extra }), { key: KEY });
  await attached;
  const connected = nextEvent(session, "state", (s) => s === "connected");
  session.start();
  await connected;
  cleanups.push(() => session.stop());
  return { session, host };
}

async function bridge(prefix: string, env: Record<string, string>): Promise<BridgeClient> {
  const b = await startBridge({ brokerUrl: broker.url, prefix, name: "home", env: { SESSION_LINK_KEY: KEY, ...env }, waitConnected: false });
  cleanups.push(() => b.close());
  return b;
}

describe("bridge in flow mode", () => {
  test("auto mode finds the flow-hosted session and says why; tools act on the flow's session", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix);
    const b = await bridge(prefix, { SESSION_HOST: "auto" });
    const status = await b.status();
    assert.equal(status.mode, "flow");
    assert.match(status.modeReason, /hosted by a Node-RED flow/);
    assert.equal(status.host, "flow");
    assert.match(await b.ok("admit", { pattern: "garage/#" }), /Admitted "garage\/#"/);
    assert.ok(flow.session.status().admitted.includes("garage/#"));
  });

  test("the flow's admitted messages reach Claude as channel notifications", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix);
    const b = await bridge(prefix, { SESSION_HOST: "flow" });
    await eventually(() => flow.host.stats().bridges.length === 1, "the bridge to attach");
    await peer.client.publishAsync(flow.session.topics.inbox, JSON.stringify({ sender: "door", ts: "", content: "front door opened" }), { qos: 1 });
    const note = await b.nextNotification((n) => n.content === "front door opened");
    assert.equal(note.meta.sender, "door");
    assert.equal(note.meta.topic, flow.session.topics.inbox);
  });

  test("the flow owner's publish permissions govern Claude's publishes; the bridge's own variables cannot widen them", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix, {}, { publishPermissions: { allow: [`${prefix}/home/commands/#`], deny: [] } });
    const b = await bridge(prefix, { SESSION_HOST: "flow", MQTT_PUBLISH_ALLOW: "#" });
    await eventually(async () => !(await b.call("status")).isError, "the flow to answer");
    await peer.subscribe(`${prefix}/#`);
    const refused = await b.call("publish", { topic: `${prefix}/victim/set`, text: "on", raw: true });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /not in the owner's publish allow list/);
    assert.equal(await b.ok("publish", { topic: `${prefix}/home/commands/light`, text: "on", raw: true }), `Published to ${prefix}/home/commands/light (raw)`);
    await peer.next((m) => m.topic === `${prefix}/home/commands/light`, "the allowed publish");
    assert.deepEqual(peer.received.filter((m) => m.topic === `${prefix}/victim/set`), []);
    const status = await b.status();
    assert.deepEqual(status.publishPermissions.allow, [`${prefix}/home/commands/#`]);
    assert.equal(flow.session.status().counts.refused["not-allowed"], 1);
  });

  test("pinned patterns cannot be removed by Claude", async () => {
    const prefix = uniquePrefix();
    await flowSession(prefix, { muted: ["noisy/#"], admitted: ["doors/#"] });
    const b = await bridge(prefix, { SESSION_HOST: "flow" });
    await eventually(async () => !(await b.call("status")).isError, "the flow to answer");
    for (const [tool, pattern] of [["unmute", "noisy/#"], ["unadmit", "doors/#"]] as const) {
      const result = await b.call(tool, { pattern });
      assert.equal(result.isError, true, `${tool} should be refused`);
      assert.match(result.text, /pinned .* by the flow's owner/);
    }
  });

  test("with no flow online, tool calls fail quickly with a clear error", async () => {
    const prefix = uniquePrefix();
    const b = await bridge(prefix, { SESSION_HOST: "flow" });
    const result = await b.call("status");
    assert.equal(result.isError, true);
    assert.match(result.text, /no flow has published a status for session "home"|not connected/);
  });

  test("auto mode without a flow hosts the session itself and says why", async () => {
    const prefix = uniquePrefix();
    const b = await bridge(prefix, { SESSION_HOST: "auto" });
    const status = await b.status();
    assert.equal(status.mode, "bridge");
    assert.match(status.modeReason, /no flow hosts session "home"/);
  });
});
