import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { combineFlows, exampleNames, homeAssistantCredentials, pointAtBroker, readExample, type FlowNode } from "../../demo/example-flows.js";
import { homeAssistantNodesReady } from "../../demo/home-assistant/nodes-ready.js";
import { startSimulatedHomeAssistant } from "../helpers/home-assistant.js";
import { LOG_ERROR, LOG_WARN } from "../nodes/helpers/red.js";
import { connected, exampleSuite, helper, listening, loadExample, until } from "./harness.js";

const suite = exampleSuite();

// The public property names (ARCHITECTURE.md), plus what every editor node carries.
const COMMON = ["id", "type", "z", "name", "x", "y", "wires", "g"];
const PROPERTIES: Record<string, string[]> = {
  "claude-session": ["id", "type", "name", "broker", "prefix", "qos", "heartbeat", "bufferMaxAge", "bufferMaxPerTopic", "admitted", "watched", "muted", "publishAllow", "publishDeny", "tls"],
  "claude-gate": [...COMMON, "session", "mode", "subject", "subjectType"],
  "claude-publish": [...COMMON, "session", "mode", "topic", "target", "raw", "retain", "replyAllow"],
  "claude-permission": [...COMMON, "session"],
};

const names = exampleNames();

describe("the example flows", () => {
  test("are the seven of the README, each exercised by a test of its own", () => {
    assert.deepEqual(names, ["answer-a-request", "approve-from-phone", "home-assistant-stand-ins", "home-assistant-triggers", "mqtt-statestream", "switch-a-light", "two-sessions-talking"]);
    for (const name of names) assert.ok(existsSync(join(__dirname, `${name}.test.js`)), `test/examples/${name}.test.ts exists`);
  });

  for (const name of names) {
    test(`${name}: one tab, explained by a comment, claude nodes with their public properties only`, () => {
      const flow = readExample(name);
      const tabs = flow.filter((n) => n.type === "tab");
      assert.equal(tabs.length, 1);
      const onCanvas = flow.filter((n) => n.type !== "tab" && n.z !== undefined);
      for (const node of onCanvas) assert.equal(node.z, tabs[0]!.id, `${node.id} is on the example's tab`);
      const comments = onCanvas.filter((n) => n.type === "comment" && typeof n.info === "string" && n.info.length > 200);
      assert.ok(comments.length >= 1, "a comment node explains the flow");
      for (const node of flow.filter((n) => n.type in PROPERTIES)) {
        const extra = Object.keys(node).filter((key) => !PROPERTIES[node.type]!.includes(key));
        assert.deepEqual(extra, [], `${node.id} (${node.type}) uses public property names only`);
      }
      const ids = new Set(flow.map((n) => n.id));
      for (const node of flow.filter((n) => n.type === "claude-gate" || n.type === "claude-publish")) {
        assert.ok(ids.has(String(node.session)), `${node.id}'s session is in the file`);
      }
      for (const node of flow.filter((n) => n.type === "claude-session")) assert.equal(node.broker, "mqtt://localhost:1883");
      for (const node of flow.filter((n) => n.type === "mqtt-broker")) assert.deepEqual([node.broker, node.port], ["localhost", "1883"]);
    });
  }

  test("share no id, each bringing its own sessions (with names of their own) and broker, so they import one after another", () => {
    const all = combineFlows(names.map((name) => readExample(name)));
    const sessions = all.filter((n) => n.type === "claude-session").map((n) => n.name);
    assert.deepEqual(sessions.sort(), ["approvals", "garage", "home", "kitchen", "lights", "office", "standins", "statestream"]);
    // A flow without mqtt nodes (approve-from-phone) needs no broker node of its own.
    for (const name of names) assert.ok(readExample(name).filter((n) => n.type === "mqtt-broker").length <= 1, `${name} brings at most its own broker node`);
  });

  test("all load together in a real Node-RED, as the demo deploys them, without a node warning or error", async () => {
    const ha = await startSimulatedHomeAssistant(suite.broker.url);
    after(() => ha.stop());
    const flow = await loadExample(names, suite.broker.url, { credentials: ha.credentialsFor(combineFlows(names.map((name) => readExample(name)))) });
    await until(() => homeAssistantNodesReady("ha-server"), "the Home Assistant nodes to be ready", 20_000);
    for (const session of flow.filter((n) => n.type === "claude-session")) await connected(session.id);
    await listening();
    // The test helper's own registration notices carry no node id; the flow's nodes must say nothing.
    const ids = new Set(flow.map((n) => n.id));
    const complaints = helper
      .log()
      .args.map(([entry]) => entry)
      .filter((entry) => (entry.level === LOG_ERROR || entry.level === LOG_WARN) && entry.id !== undefined && ids.has(entry.id))
      .map((entry) => `${entry.id ?? ""} ${String(entry.msg)}`);
    assert.deepEqual(complaints, []);
  });
});

describe("combining and pointing the examples", () => {
  const node = (props: Partial<FlowNode>): FlowNode => ({ id: "n", type: "t", ...props });

  test("combining refuses an id in two flows, naming it, even for the same node", () => {
    assert.throws(() => combineFlows([[node({ id: "s", type: "claude-session", name: "a" })], [node({ id: "s", type: "claude-session", name: "a" })]]), /node s \(claude-session\) is in two example flows/);
    assert.equal(combineFlows([[node({ id: "s", name: "a" })], [node({ id: "t", name: "a" })]]).length, 2);
  });

  test("pointing at a broker rewrites the mqtt-broker host and port and the sessions' URL, nothing else", () => {
    const flow = [
      node({ id: "b", type: "mqtt-broker", broker: "localhost", port: "1883" }),
      node({ id: "s", type: "claude-session", broker: "mqtt://localhost:1883" }),
      node({ id: "i", type: "mqtt in", topic: "a/b", broker: "b" }),
    ];
    const pointed = pointAtBroker(flow, "mqtt://127.0.0.1:41234");
    assert.deepEqual(pointed, [
      node({ id: "b", type: "mqtt-broker", broker: "127.0.0.1", port: "41234" }),
      node({ id: "s", type: "claude-session", broker: "mqtt://127.0.0.1:41234" }),
      node({ id: "i", type: "mqtt in", topic: "a/b", broker: "b" }),
    ]);
    assert.equal(flow[0]!.port, "1883", "the original flow is left as it was");
  });

  test("Home Assistant server nodes get the address and token as credentials, by node id; other nodes none", () => {
    const flow = [node({ id: "ha", type: "server" }), node({ id: "s", type: "claude-session" })];
    assert.deepEqual(homeAssistantCredentials(flow, "http://127.0.0.1:8123", "t0ken"), { ha: { host: "http://127.0.0.1:8123", access_token: "t0ken" } });
  });
});
