import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import mqtt from "mqtt";
import type { NodeMessage } from "node-red";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { nextEvent, tempDir, uniquePrefix } from "../helpers/session.js";
import type { GateVerdict } from "../../nodes/shared/types.js";
import type { AdmittedMessage } from "../../session/types.js";
import {
  claudeNodes,
  connected,
  gateFlow,
  helper,
  logged,
  LOG_ERROR,
  received,
  recordStatuses,
  waitFor,
  type FlowParts,
} from "./helpers/red.js";

let broker: TestBroker;

before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
});
beforeEach(() => {
  helper.settings({ userDir: tempDir("claude-gate-") });
});
afterEach(async () => {
  await helper.unload();
});

async function load(parts: FlowParts = {}) {
  await helper.load(claudeNodes, gateFlow(broker.url, uniquePrefix(), parts));
  return connected("s1");
}

function send(msg: NodeMessage): void {
  helper.getNode("g1")!.receive(msg);
}

function verdict(msg: NodeMessage | undefined): GateVerdict {
  assert.ok(msg, "a message");
  return msg.claude as GateVerdict;
}

describe("claude-gate in lists mode", () => {
  test("admitted, watched and dropped messages leave on their own outputs with msg.claude", async () => {
    const session = await load({
      session: { admitted: ["home/door"], watched: ["home/+/temp"], muted: ["home/noisy"] },
    });
    const admitted = received("admitted");
    const watched = received("watched");
    const dropped = received("dropped", 2);
    const toClaude = nextEvent(session, "admitted");
    send({ topic: "home/door", payload: "open" });
    send({ topic: "home/kitchen/temp", payload: "21.5" });
    send({ topic: "home/noisy", payload: "bzzz" });
    send({ topic: "garden/gate", payload: "closed" });

    const [a] = await admitted;
    assert.equal(a!.payload, "open");
    assert.deepEqual(verdict(a), { tier: "admitted", pattern: "home/door", session: "flowbot", topic: "home/door" });
    const [w] = await watched;
    assert.deepEqual(verdict(w), { tier: "watched", pattern: "home/+/temp", session: "flowbot", topic: "home/kitchen/temp" });
    const [muted, unmatched] = await dropped;
    assert.deepEqual(verdict(muted), { tier: "dropped", pattern: "home/noisy", reason: "muted", session: "flowbot", topic: "home/noisy" });
    assert.deepEqual(verdict(unmatched), { tier: "dropped", reason: "unmatched", session: "flowbot", topic: "garden/gate" });

    const [message] = await toClaude;
    assert.equal(message.content, "open");
    assert.equal(message.via, "flow");
    const inbox = session.inbox({ filter: "home/#" });
    assert.equal(inbox.kind, "messages");
    assert.deepEqual(inbox.kind === "messages" && inbox.messages.map((m) => [m.topic, m.content]), [["home/kitchen/temp", "21.5"]]);
  });

  test("an envelope in msg.payload keeps its sender and the request's reply_to and correlation_id", async () => {
    const session = await load({ session: { admitted: ["desk/+"] } });
    const admitted = received("admitted");
    const toClaude = nextEvent(session, "admitted");
    send({ topic: "desk/ask", payload: { sender: "bob", ts: "2026-01-01T00:00:00Z", content: "lights?", correlation_id: "c-1", reply_to: "claude/sessions/bob/inbox" } });
    const [msg] = await admitted;
    assert.deepEqual(verdict(msg), {
      tier: "admitted",
      pattern: "desk/+",
      session: "flowbot",
      topic: "desk/ask",
      sender: "bob",
      correlation_id: "c-1",
      reply_to: "claude/sessions/bob/inbox",
    });
    const [message] = await toClaude;
    assert.equal(message.content, "lights?");
    assert.equal(message.sender, "bob");
  });

  test("a sender name in a list matches the envelope's sender, and the own name is an echo", async () => {
    await load({ session: { admitted: ["alice"] } });
    const admitted = received("admitted");
    const dropped = received("dropped");
    send({ topic: "any/where", payload: JSON.stringify({ sender: "alice", content: "hi" }) });
    send({ topic: "any/where", payload: { sender: "flowbot", content: "my own words" } });
    assert.equal(verdict((await admitted)[0]).pattern, "alice");
    assert.equal(verdict((await dropped)[0]).reason, "echo");
  });

  test("Buffers, numbers and binary payloads reach Claude as text or a size report", async () => {
    const session = await load({ session: { admitted: ["p/#"] } });
    const contents: string[] = [];
    session.on("admitted", (m: AdmittedMessage) => contents.push(m.content));
    const admitted = received("admitted", 4);
    send({ topic: "p/buffer", payload: Buffer.from("from a buffer") });
    send({ topic: "p/number", payload: 21.5 });
    send({ topic: "p/object", payload: { temp: 21.5 } });
    send({ topic: "p/binary", payload: Buffer.from([0xff, 0x00, 0xfe]) });
    await admitted;
    assert.deepEqual(contents, ["from a buffer", "21.5", '{"temp":21.5}', "[binary payload, 3 bytes]"]);
  });
});

describe("claude-gate and the session's own requests", () => {
  test("a reply to the session's pending request settles it and leaves on the admitted output as tier reply", async () => {
    const session = await load();
    const peerInbox = session.topics.inbox.replace(/flowbot\/inbox$/, "kitchen/inbox");
    const requests: Array<{ correlation_id: string }> = [];
    const watcher = await mqtt.connectAsync(broker.url);
    try {
      watcher.on("message", (_topic, payload) => requests.push(JSON.parse(payload.toString()) as { correlation_id: string }));
      await watcher.subscribeAsync(peerInbox, { qos: 1 });
      const answer = session.request("kitchen", "is the oven on?", 5);
      const request = await waitFor(() => requests[0], "the request on the kitchen's inbox");
      const admitted = received("admitted");
      send({ topic: session.topics.inbox, payload: { sender: "kitchen", content: "no", correlation_id: request.correlation_id } });
      assert.deepEqual(await answer, { content: "no", sender: "kitchen" });
      assert.equal(verdict((await admitted)[0]).tier, "reply");
    } finally {
      await watcher.endAsync();
    }
  });
});

describe("claude-gate modes and subject", () => {
  test("admit mode admits what the lists would drop; watch mode buffers it", async () => {
    const session = await load({ gate: { mode: "admit" } });
    const admitted = received("admitted");
    send({ topic: "nobody/listens", payload: "x" });
    assert.equal(verdict((await admitted)[0]).tier, "admitted");
    await helper.unload();

    await helper.load(claudeNodes, gateFlow(broker.url, uniquePrefix(), { gate: { mode: "watch" }, session: { admitted: ["nobody/#"] } }));
    const watchSession = await connected("s1");
    assert.notEqual(watchSession, session);
    const watched = received("watched");
    send({ topic: "nobody/listens", payload: "y" });
    assert.equal(verdict((await watched)[0]).tier, "watched");
    const inbox = watchSession.inbox({ filter: "nobody/listens" });
    assert.equal(inbox.kind === "messages" && inbox.messages[0]?.content, "y");
  });

  test("the subject comes from the typedInput: another msg property, or a fixed string", async () => {
    await load({ session: { admitted: ["rooms/kitchen"] }, gate: { subject: "data.room", subjectType: "msg" } });
    const admitted = received("admitted");
    send({ topic: "ignored", data: { room: "rooms/kitchen" }, payload: "warm" });
    assert.equal(verdict((await admitted)[0]).topic, "rooms/kitchen");
    await helper.unload();

    await load({ session: { watched: ["fixed/subject"] }, gate: { subject: "fixed/subject", subjectType: "str" } });
    const watched = received("watched");
    send({ topic: "whatever", payload: 1 });
    assert.equal(verdict((await watched)[0]).pattern, "fixed/subject");
  });
});

describe("claude-gate with Home Assistant messages", () => {
  test("an entity id in msg.topic of a plain message stands for its homeassistant topic", async () => {
    await load({ session: { admitted: ["homeassistant/light/kitchen"] } });
    const admitted = received("admitted");
    send({ topic: "light.kitchen", payload: "on" });
    assert.equal(verdict((await admitted)[0]).topic, "homeassistant/light/kitchen");
  });
});

describe("claude-gate problems", () => {
  test("a message without a usable subject goes to Catch with the reason, and the status turns red", async () => {
    await load({ session: { admitted: ["#"] } });
    const statuses = recordStatuses();
    const errors = received("errors", 2);
    send({ payload: "no topic" });
    send({ topic: "a/+/c", payload: "wildcard" });
    const [missing, wildcard] = await errors;
    assert.match(String((missing!.error as { message: string }).message), /subject msg\.topic is not set/);
    assert.match(String((wildcard!.error as { message: string }).message), /wildcard/);
    await waitFor(() => statuses.of("g1").find((s) => s.fill === "red" && /subject/.test(s.text ?? "")), "a red status");
    statuses.stop();
  });

  test("a gate without a claude-session logs it, shows it, and reports each message", async () => {
    const statuses = recordStatuses();
    await helper.load(claudeNodes, gateFlow(broker.url, uniquePrefix(), { gate: { session: "gone" } }));
    assert.ok(logged(LOG_ERROR, "g1").some((m) => /no claude-session configured/.test(m)));
    assert.ok(statuses.of("g1").some((s) => s.fill === "red" && /no claude-session/.test(s.text ?? "")));
    const errors = received("errors");
    send({ topic: "x", payload: "y" });
    const [error] = await errors;
    assert.match(String((error!.error as { message: string }).message), /no claude-session configured/);
    statuses.stop();
  });

  test("the status counts what left each output", async () => {
    await load({ session: { admitted: ["a/#"], watched: ["w/#"] } });
    const statuses = recordStatuses();
    const dropped = received("dropped");
    send({ topic: "a/1", payload: "1" });
    send({ topic: "a/2", payload: "2" });
    send({ topic: "w/1", payload: "3" });
    send({ topic: "d/1", payload: "4" });
    await dropped;
    const shown = await waitFor(() => statuses.of("g1").find((s) => s.text === "▲2 ◆1 ✕1"), "the counts in the status");
    assert.deepEqual(shown, { fill: "green", shape: "dot", text: "▲2 ◆1 ✕1" });
    statuses.stop();
  });
});
