/**
 * End to end, with everything real: what a flow admits reaches Claude, Claude's tools act
 * on the flow's session, the owner's pinned rules hold, and requests are answered both
 * ways (Claude ↔ flow). One Node-RED process for the whole file.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TestBroker } from "../helpers/broker.js";
import type { FlowNode } from "../helpers/node-red.js";
import { serverStateChanged } from "../nodes/fixtures/home-assistant.js";
import { eventually, type BridgeClient } from "../bridge/harness.js";
import {
  brokerNode,
  flowStatus,
  functionNode,
  gateNode,
  injectNode,
  LINK_KEY,
  mqttIn,
  mqttOut,
  publishNode,
  refused,
  SESSION,
  sessionNode,
  startFlowBridge,
  startStack,
  tab,
  TAB,
  type Stack,
} from "./stack.js";

const ANSWERS = "e2e/answers";

/**
 * Session "home" (Claude's, with the link key) gets injects and a Home Assistant change
 * through a claude-gate in lists mode. Session "helper" is a flow serving requests: what
 * arrives in its inbox passes its gate; a request (it has reply_to) is answered through
 * claude-publish in reply mode, anything else (an answer to the flow's own request) is
 * published on e2e/answers for the test to see. The inject "ask" makes such a request.
 */
function flow(prefix: string, broker: TestBroker): FlowNode[] {
  const helperInbox = `${prefix}/sessions/helper/inbox`;
  const { _msgid: _, ...haMessage } = serverStateChanged();
  return [
    tab(),
    sessionNode("s-home", SESSION, prefix, broker, {
      admitted: ["garage/#", "homeassistant/binary_sensor/#"],
      muted: ["garage/noise/#"],
      linkKey: LINK_KEY,
    }),
    sessionNode("s-helper", "helper", prefix, broker),
    brokerNode("b1", broker),
    injectNode("i-garage", "g-home", { topic: "garage/door", payload: "the garage door opened" }),
    injectNode("i-ha", "f-ha", { payload: JSON.stringify(haMessage), payloadType: "json" }),
    // Shapes the message as the events: state node sends it: payload = new state, topic = entity id, data = event data.
    functionNode("f-ha", "return { topic: msg.payload.topic, payload: msg.payload.payload, data: msg.payload.data };", "g-home"),
    gateNode("g-home", "s-home", "lists"),

    mqttIn("m-helper", helperInbox, "b1", "g-helper"),
    gateNode("g-helper", "s-helper", "admit", [["sw-request"], [], []]),
    {
      id: "sw-request",
      type: "switch",
      z: TAB,
      name: "",
      property: "claude.reply_to",
      propertyType: "msg",
      rules: [{ t: "nnull" }, { t: "else" }],
      checkall: "false",
      repair: false,
      outputs: 2,
      wires: [["c-answer"], ["f-answer"]],
    },
    {
      id: "c-answer",
      type: "change",
      z: TAB,
      name: "",
      rules: [{ t: "set", p: "payload", pt: "msg", to: '"answered: " & payload.content', tot: "jsonata" }],
      wires: [["p-reply"]],
    },
    publishNode("p-reply", "s-helper", "reply"),
    functionNode(
      "f-answer",
      "msg.payload = { correlation_id: msg.claude.correlation_id, sender: msg.claude.sender, content: msg.payload.content }; return msg;",
      "o-answers",
    ),
    mqttOut("o-answers", ANSWERS, "b1"),
    { ...injectNode("i-ask", "p-ask", { payload: "should I close the garage?" }), props: [{ p: "payload" }, { p: "correlation_id", v: "ask-1", vt: "str" }] },
    publishNode("p-ask", "s-helper", "inbox", SESSION),
  ];
}

interface Answer {
  correlation_id?: string;
  sender?: string;
  content?: string;
}

let stack: Stack;
let claude: BridgeClient;

before(async () => {
  stack = await startStack(flow);
  claude = await startFlowBridge(stack);
  await stack.peer.subscribe(ANSWERS);
});
after(async () => {
  await stack?.stop();
});

/** The mqtt in node subscribes some time after the deploy: probe the helper's inbox until the flow passes one on. */
async function helperFlowListening(): Promise<void> {
  const inbox = `${stack.prefix}/sessions/helper/inbox`;
  const heard = (): boolean => stack.peer.received.some((m) => m.topic === ANSWERS && answer(m.payload).content === "probe");
  for (let attempt = 1; !heard(); attempt++) {
    await stack.peer.publish(inbox, JSON.stringify({ sender: "probe", ts: new Date().toISOString(), content: "probe" }));
    await eventually(heard, "the probe to come out of the helper flow", 1000).catch((err: unknown) => {
      if (attempt >= 20) throw new Error(`the helper flow passes nothing on:\n${stack.red.output()}`, { cause: err });
    });
  }
}

function answer(payload: Buffer): Answer {
  return JSON.parse(payload.toString()) as Answer;
}

describe("flow traffic reaches Claude", () => {
  test("an inject through claude-gate arrives as a channel notification with its topic and via=flow", async () => {
    const from = claude.notifications.length;
    await stack.red.inject("i-garage");
    const note = await claude.nextNotification((n) => n.content === "the garage door opened", from);
    assert.equal(note.meta.topic, "garage/door");
    assert.equal(note.meta.via, "flow");
    assert.equal(note.meta.source, undefined, "Claude Code sets source");
    assert.equal(note.meta.tier, "admitted");
    assert.ok(!Number.isNaN(Date.parse(note.meta.ts ?? "")), `ts is a time: ${note.meta.ts}`);
  });

  test("a Home Assistant state change through claude-gate arrives summarised, with its entity id", async () => {
    const from = claude.notifications.length;
    await stack.red.inject("i-ha");
    const note = await claude.nextNotification((n) => n.meta.topic === "homeassistant/binary_sensor/front_door", from);
    assert.equal(note.content, "Front Door (binary_sensor.front_door): off → on");
    assert.equal(note.meta.entity_id, "binary_sensor.front_door");
    assert.equal(note.meta.via, "flow");
  });

  test("Claude's watch and inbox read the flow's traffic, through claude-gate and the session's own subscription", async () => {
    await stack.red.inject("i-garage", [
      { p: "topic", v: "yard/temperature", vt: "str" },
      { p: "payload", v: "before the watch", vt: "str" },
    ]);
    assert.match(await claude.ok("watch", { pattern: "yard/#" }), /Watching "yard\/#"/);
    await stack.red.inject("i-garage", [
      { p: "topic", v: "yard/temperature", vt: "str" },
      { p: "payload", v: "21.5", vt: "str" },
    ]);
    const inbox = (): Promise<string> => claude.ok("inbox", { topic: "yard/#" });
    await eventually(async () => (await inbox()).startsWith("1 message(s)"), "the flow's message in the inbox");
    await stack.peer.publish("yard/humidity", JSON.stringify({ sender: "weather", ts: new Date().toISOString(), content: "64 %" }));
    let text = "";
    await eventually(async () => (text = await inbox()).startsWith("2 message(s)"), "both watched messages in the inbox");
    assert.match(await claude.ok("inbox"), /yard\/temperature: 1 message\(s\) from unknown\nyard\/humidity: 1 message\(s\) from weather/);
    assert.match(text, /^2 message\(s\) on yard\/#:\n\[[^\]]+\] unknown: 21\.5\n\[[^\]]+\] weather: 64 %$/);
    assert.match(await claude.ok("inbox", { topic: "yard/#", clear: true }), /Cleared 2 message\(s\)/);
  });
});

describe("the owner's pinned rules", () => {
  test("are shown, Claude's unmute and unadmit of them are refused, and a pinned mute beats Claude's admit", async () => {
    const status = await flowStatus(claude);
    assert.deepEqual(status.pinned.muted, ["garage/noise/#"]);
    assert.ok(status.pinned.admitted.includes("garage/#"));
    for (const [tool, pattern] of [["unmute", "garage/noise/#"], ["unadmit", "garage/#"]] as const) {
      assert.match(await refused(claude, tool, { pattern }), /pinned .* by the flow's owner/);
    }
    await claude.ok("admit", { pattern: "garage/noise/#" });

    const from = claude.notifications.length;
    await stack.red.inject("i-garage", [
      { p: "topic", v: "garage/noise/fan", vt: "str" },
      { p: "payload", v: "the fan hums", vt: "str" },
    ]);
    await stack.red.inject("i-garage", [{ p: "topic", v: "garage/door", vt: "str" }, { p: "payload", v: "after the noise", vt: "str" }]);
    await claude.nextNotification((n) => n.content === "after the noise", from);
    assert.deepEqual(
      claude.notifications.slice(from).map((n) => n.content),
      ["after the noise"],
      "the muted message never reaches Claude",
    );
    const after = await flowStatus(claude);
    assert.deepEqual(after.pinned.muted, ["garage/noise/#"]);
    assert.ok(after.muted.includes("garage/noise/#"));
  });
});

describe("requests, both ways", () => {
  test("Claude's request to another session is answered by the flow through claude-publish in reply mode", async () => {
    await helperFlowListening();
    const result = await claude.call("request", { target: "helper", text: "is the garage closed?", timeout: 30 });
    assert.deepEqual(result, { text: "Response from helper: answered: is the garage closed?", isError: false });
  });

  test("a flow's request reaches Claude with correlation_id and reply_to, and Claude's reply goes back into the flow", async () => {
    await helperFlowListening();
    const from = claude.notifications.length;
    await stack.red.inject("i-ask");
    const request = await claude.nextNotification((n) => n.content === "should I close the garage?", from);
    assert.equal(request.meta.sender, "helper");
    assert.equal(request.meta.correlation_id, "ask-1");
    assert.equal(request.meta.reply_to, `${stack.prefix}/sessions/helper/inbox`);
    assert.equal(request.meta.topic, `${stack.prefix}/sessions/${SESSION}/inbox`);

    await claude.ok("reply", { topic: request.meta.reply_to, text: "yes, close it", correlation_id: request.meta.correlation_id });
    const got = await stack.peer.next((m) => m.topic === ANSWERS && answer(m.payload).correlation_id === "ask-1", "the flow to receive Claude's answer");
    assert.deepEqual(answer(got.payload), { correlation_id: "ask-1", sender: SESSION, content: "yes, close it" });
  });
});

describe("SESSION_HOST=auto", () => {
  test("finds the flow-hosted session by its retained status, says why, and works through it", async () => {
    const auto = await startFlowBridge(stack, "auto");
    const status = await flowStatus(auto);
    assert.equal(status.mode, "flow");
    assert.match(status.modeReason, /SESSION_HOST=auto: session "home" is online and hosted by a Node-RED flow/);
    const from = auto.notifications.length;
    await stack.red.inject("i-garage", [{ p: "topic", v: "garage/door", vt: "str" }, { p: "payload", v: "seen in auto mode", vt: "str" }]);
    await auto.nextNotification((n) => n.content === "seen in auto mode", from);
  });
});
