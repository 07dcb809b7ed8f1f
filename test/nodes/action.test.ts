import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import mqtt, { type MqttClient } from "mqtt";
import type { NodeMessage } from "node-red";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { tempDir, uniquePrefix } from "../helpers/session.js";
import { runTool } from "../../session/tools/run.js";
import type { Session } from "../../session/session.js";
import { changeNode, claudeNodes, connected, gateFlow, helper, received, type FlowNode, type FlowParts } from "./helpers/red.js";

let broker: TestBroker;
let peer: MqttClient;
let prefix: string;
let onBroker: string[];
const record = (topic: string): number => onBroker.push(topic);

before(async () => {
  broker = await startBroker();
  peer = await mqtt.connectAsync(broker.url);
  peer.on("message", record);
});
after(async () => {
  await peer.endAsync();
  await broker.stop();
});
beforeEach(async () => {
  helper.settings({ userDir: tempDir("claude-action-") });
  prefix = uniquePrefix();
  onBroker = [];
  await peer.subscribeAsync(`${prefix}/#`, { qos: 1 });
});
afterEach(async () => {
  await helper.unload();
});

const commands = (): string => `${prefix}/home/commands`;

/** claude-action `a1` on `<prefix>/home/commands/#`, its output tapped by `actions` and, through `answer`, answered. */
function actionFlow(answer: FlowNode | undefined, parts: FlowParts & { action?: Partial<FlowNode> } = {}): FlowNode[] {
  const wires = answer ? [["actions", answer.id]] : [["actions"]];
  return [
    ...gateFlow(broker.url, prefix, parts),
    { id: "a1", type: "claude-action", z: "f1", session: "s1", pattern: `${commands()}/#`, timeout: 30, wires, ...parts.action },
    { id: "actions", type: "helper", z: "f1" },
    ...(answer ? [answer] : []),
  ];
}

const answeredWith = (text: string): FlowNode => ({
  id: "answer",
  type: "change",
  z: "f1",
  rules: [{ t: "set", p: "payload", pt: "msg", to: text, tot: "str" }],
  wires: [["a1"]],
});

async function load(flow: FlowNode[]): Promise<Session> {
  await helper.load([...claudeNodes, changeNode], flow);
  return connected("s1");
}

/** A marker published after everything else: once it is back, earlier publishes would be too. */
async function brokerSettled(session: Session): Promise<void> {
  const marker = `${prefix}/marker`;
  await session.publish({ topic: marker, text: "m", raw: true });
  while (!onBroker.includes(marker)) await new Promise((r) => setTimeout(r, 20));
}

describe("claude-action", () => {
  test("a publish by Claude to a routed topic reaches the flow, never the broker, and the flow's answer is the tool result", async () => {
    const session = await load(actionFlow(answeredWith("light.living_room is on")));
    const seen = received("actions");
    const result = await runTool(session, "publish", { topic: `${commands()}/light`, text: '{"entity_id":"light.living_room","state":"on"}', raw: true });
    assert.deepEqual(result, { text: `The flow handling ${commands()}/light answered: light.living_room is on`, isError: false });
    const [msg] = (await seen) as Array<NodeMessage & { claude: Record<string, unknown> }>;
    assert.equal(msg!.topic, `${commands()}/light`);
    assert.deepEqual(msg!.payload, { entity_id: "light.living_room", state: "on" });
    assert.deepEqual({ ...msg!.claude, correlationId: typeof msg!.claude.correlationId }, {
      session: "flowbot",
      tool: "publish",
      correlationId: "string",
      retain: false,
      raw: true,
    });
    // Topics the node does not route are published as usual.
    assert.equal((await runTool(session, "publish", { topic: `${prefix}/elsewhere`, text: "x" })).isError, false);
    await brokerSettled(session);
    assert.deepEqual(onBroker.filter((t) => t.startsWith(commands())), []);
    assert.ok(onBroker.includes(`${prefix}/elsewhere`));
    assert.deepEqual({ ...session.status().actions, routes: session.status().actions.routes.length }, { routes: 1, pending: 0, answered: 1, unconfirmed: 0, stray: 0 });
  });

  test("the publish permissions apply before the flow sees anything", async () => {
    const session = await load(actionFlow(answeredWith("done"), { session: { publishAllow: [`${prefix}/sessions/+/inbox`], publishDeny: [] } }));
    const result = await runTool(session, "publish", { topic: `${commands()}/light`, text: "on" });
    assert.equal(result.isError, true);
    assert.match(result.text, /not in the owner's publish allow list/);
    assert.equal(session.status().actions.answered + session.status().actions.pending, 0, "the flow was not asked");
  });

  test("msg.error answers with an error; no answer within the timeout tells Claude the flow did not confirm", async () => {
    const fails: FlowNode = { id: "answer", type: "change", z: "f1", rules: [{ t: "set", p: "error", pt: "msg", to: "the light is unreachable", tot: "str" }], wires: [["a1"]] };
    const session = await load([
      ...actionFlow(fails),
      { id: "a2", type: "claude-action", z: "f1", session: "s1", pattern: `${prefix}/slow/#`, timeout: 1, wires: [[]] },
    ]);
    assert.deepEqual(await runTool(session, "publish", { topic: `${commands()}/light`, text: "on" }), {
      text: `The flow handling ${commands()}/light answered with an error: the light is unreachable`,
      isError: true,
    });
    const slow = await runTool(session, "publish", { topic: `${prefix}/slow/x`, text: "on" });
    assert.equal(slow.isError, true, slow.text);
    assert.match(slow.text, /did not confirm within 1s: the action may or may not have happened/);
    assert.equal(session.status().actions.unconfirmed, 1);
  });

  test("an answer for no waiting action goes to Catch and is counted", async () => {
    const session = await load(actionFlow(undefined));
    const errors = received("errors");
    helper.getNode("a1")!.receive({ payload: "late", claude: { correlationId: "not-waiting" } } as NodeMessage);
    assert.match(String(((await errors)[0]!.error as { message: string }).message), /no action not-waiting is waiting/);
    helper.getNode("a1")!.receive({ payload: "no id" });
    assert.match(String(((await received("errors"))[0]!.error as { message: string }).message), /nothing to answer/);
    assert.equal(session.status().actions.stray, 1);
  });

  test("an invalid pattern is a configuration error, reported for each message", async () => {
    await load(actionFlow(undefined, { action: { pattern: "a/#/b" } }));
    const errors = received("errors");
    helper.getNode("a1")!.receive({ payload: "x", claude: { correlationId: "c" } } as NodeMessage);
    assert.match(String(((await errors)[0]!.error as { message: string }).message), /pattern: /);
  });
});
