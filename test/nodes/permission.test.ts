/**
 * claude-permission with a real bridge in flow mode: Claude Code's permission request
 * travels over the signed flow link to the node, and the message sent back in is the
 * verdict Claude Code receives. The capability is declared only while such a node is deployed.
 */
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { NodeMessage } from "node-red";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { tempDir, uniquePrefix } from "../helpers/session.js";
import { eventually, startBridge, type BridgeClient } from "../bridge/harness.js";
import { claudeNodes, connected, helper, received, type FlowNode } from "./helpers/red.js";

const KEY = "k3y-of-the-flow-link-0123456789abcdef";
const REQUEST = { request_id: "qwert", tool_name: "Bash", description: "Run shell command", input_preview: '{"command": "rm -rf /tmp/x"}' };
let broker: TestBroker;
let prefix: string;
const bridges: BridgeClient[] = [];

before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
});
beforeEach(() => {
  helper.settings({ userDir: tempDir("claude-permission-") });
  prefix = uniquePrefix();
});
afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.close()));
  await helper.unload();
});

function flow(withApprover: boolean): FlowNode[] {
  return [
    { id: "f1", type: "tab", label: "claude" },
    { id: "s1", type: "claude-session", name: "home", broker: broker.url, prefix, qos: 1, heartbeat: 60 },
    ...(withApprover ? [{ id: "perm", type: "claude-permission", z: "f1", session: "s1", wires: [["asked"]] }] : []),
    { id: "asked", type: "helper", z: "f1" },
    { id: "c1", type: "catch", z: "f1", scope: null, uncaught: false, wires: [["errors"]] },
    { id: "errors", type: "helper", z: "f1" },
  ];
}

async function flowBridge(): Promise<BridgeClient> {
  const b = await startBridge({ brokerUrl: broker.url, prefix, name: "home", env: { SESSION_HOST: "flow", SESSION_LINK_KEY: KEY }, waitConnected: false });
  bridges.push(b);
  return b;
}

function verdicts(b: BridgeClient): Array<{ request_id: string; behavior: string }> {
  const seen: Array<{ request_id: string; behavior: string }> = [];
  const channel = b.client.fallbackNotificationHandler;
  b.client.fallbackNotificationHandler = async (n) => {
    if (n.method === "notifications/claude/channel/permission") seen.push(n.params as { request_id: string; behavior: string });
    else await channel?.(n);
  };
  return seen;
}

describe("claude-permission (flow mode)", () => {
  test("a request reaches the node; the flow's answer is the verdict, once; a second answer goes to Catch", async () => {
    await helper.load(claudeNodes, flow(true), { s1: { linkKey: KEY } });
    const session = await connected("s1");
    const b = await flowBridge();
    assert.deepEqual(b.client.getServerCapabilities()?.experimental?.["claude/channel/permission"], {});
    const seen = verdicts(b);

    const asked = received("asked", 1, 15_000);
    await b.client.notification({ method: "notifications/claude/channel/permission_request", params: REQUEST });
    const [msg] = (await asked) as Array<NodeMessage & { request_id: string; claude: { session: string; expires: string } }>;
    assert.deepEqual(msg!.payload, REQUEST);
    assert.equal(msg!.request_id, "qwert");
    assert.equal(msg!.topic, "permission/Bash");
    assert.equal(msg!.claude.session, "home");
    assert.ok(Date.parse(msg!.claude.expires) > Date.now());
    assert.equal(session.status().permissions.waiting[0]?.request_id, "qwert", "the sidebar's status lists it");

    helper.getNode("perm")!.receive({ request_id: "qwert", payload: "allow" } as NodeMessage);
    await eventually(() => seen.length === 1, "the verdict at Claude Code");
    assert.deepEqual(seen, [{ request_id: "qwert", behavior: "allow" }]);

    const errors = received("errors");
    helper.getNode("perm")!.receive({ request_id: "qwert", payload: false } as NodeMessage);
    assert.match(String(((await errors)[0]!.error as { message: string }).message), /no permission request qwert is waiting/);
    const bad = received("errors");
    helper.getNode("perm")!.receive({ request_id: "qwert", payload: "maybe" } as NodeMessage);
    assert.match(String(((await bad)[0]!.error as { message: string }).message), /must be "allow" or "deny"/);
    const stats = session.status().permissions;
    assert.deepEqual([stats.allowed, stats.denied, stats.unknownVerdicts, stats.pending], [1, 0, 1, 0]);
    const relay = (JSON.parse(await b.ok("status")) as { permissionRelay: { allowed: number; pending: number } }).permissionRelay;
    assert.deepEqual([relay.allowed, relay.pending], [1, 0]);
  });

  test("without a claude-permission node the bridge declares no permission relay", async () => {
    await helper.load(claudeNodes, flow(false), { s1: { linkKey: KEY } });
    await connected("s1");
    const b = await flowBridge();
    assert.equal(b.client.getServerCapabilities()?.experimental?.["claude/channel/permission"], undefined);
    assert.match(b.stderr(), /permission prompts stay in the terminal/);
  });
});
