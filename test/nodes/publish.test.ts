import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import mqtt, { type MqttClient } from "mqtt";
import type { NodeMessage } from "node-red";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { nextEvent, sessionOptions, startedSession, tempDir, uniquePrefix } from "../helpers/session.js";
import { matches } from "../../core/topics.js";
import type { Session } from "../../session/session.js";
import {
  changeNode,
  claudeNodes,
  connected,
  gateFlow,
  helper,
  logged,
  LOG_ERROR,
  mqttNodes,
  received,
  recordStatuses,
  waitFor,
  type FlowParts,
} from "./helpers/red.js";

let broker: TestBroker;
let peer: MqttClient;
let prefix: string;
const peers: Session[] = [];

interface Received {
  topic: string;
  text: string;
  retain: boolean;
}

before(async () => {
  broker = await startBroker();
  peer = await mqtt.connectAsync(broker.url);
});
after(async () => {
  await peer.endAsync();
  await broker.stop();
});
beforeEach(() => {
  helper.settings({ userDir: tempDir("claude-publish-") });
  prefix = uniquePrefix();
});
afterEach(async () => {
  await helper.unload();
  await Promise.all(peers.splice(0).map((s) => s.stop()));
});

async function load(parts: FlowParts = {}): Promise<Session> {
  await helper.load([...claudeNodes, changeNode, mqttNodes], gateFlow(broker.url, prefix, parts));
  return connected("s1");
}

/** The next `count` messages on `filter`, as a raw subscriber sees them. */
async function subscribe(filter: string, count = 1, client: MqttClient = peer): Promise<() => Promise<Received[]>> {
  const got: Received[] = [];
  const listener = (topic: string, payload: Buffer, packet: { retain?: boolean }): void => {
    if (matches(filter, topic)) got.push({ topic, text: payload.toString(), retain: packet.retain === true });
  };
  client.on("message", listener);
  await client.subscribeAsync(filter, { qos: 1 });
  return async () => {
    try {
      return await waitFor(() => (got.length >= count ? got.slice(0, count) : undefined), `${count} message(s) on ${filter}`);
    } finally {
      client.off("message", listener);
      await client.unsubscribeAsync(filter);
    }
  };
}

function send(msg: NodeMessage, id = "p1"): void {
  helper.getNode(id)!.receive(msg);
}

function envelope(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

describe("claude-publish to a topic", () => {
  test("wraps msg.payload in the session's envelope and sends it to the node's topic before msg.topic", async () => {
    await load({
      publish: { topic: "out/fixed" },
      extra: [{ id: "p2", type: "claude-publish", z: "f1", session: "s1", mode: "publish", topic: "", raw: false, retain: false }],
    });
    const fixed = await subscribe("out/fixed");
    const dynamic = await subscribe("out/dynamic");
    send({ topic: "out/ignored", payload: "door open" });
    send({ topic: "out/dynamic", payload: "from msg.topic" }, "p2");
    const [first] = await fixed();
    const sent = envelope(first!.text);
    assert.deepEqual(Object.keys(sent), ["sender", "ts", "content"]);
    assert.equal(sent.sender, "flowbot");
    assert.equal(sent.content, "door open");
    assert.ok(!Number.isNaN(Date.parse(String(sent.ts))));
    assert.equal(first!.retain, false);
    assert.equal(envelope((await dynamic())[0]!.text).content, "from msg.topic");
  });

  test("objects go as JSON, numbers and booleans as text", async () => {
    await load({ publish: { topic: "out/values" } });
    const values = await subscribe("out/values", 3);
    send({ payload: { temp: 21.5, unit: "°C" } });
    send({ payload: 42 });
    send({ payload: false });
    assert.deepEqual(
      (await values()).map((m) => envelope(m.text).content),
      ['{"temp":21.5,"unit":"°C"}', "42", "false"],
    );
  });

  test("raw sends the text without an envelope, and retain leaves it on the broker", async () => {
    await load({ publish: { topic: "out/raw", raw: true, retain: true } });
    const statuses = recordStatuses();
    const live = await subscribe("out/raw");
    send({ payload: { level: 3 } });
    assert.equal((await live())[0]!.text, '{"level":3}');
    const late = await mqtt.connectAsync(broker.url);
    try {
      const retained = await subscribe("out/raw", 1, late);
      assert.deepEqual((await retained())[0], { topic: "out/raw", text: '{"level":3}', retain: true });
    } finally {
      await late.publishAsync("out/raw", "", { retain: true, qos: 1 });
      await late.endAsync();
    }
    await waitFor(() => statuses.of("p1").find((s) => s.fill === "green" && s.text === "11 B → out/raw"), "the last result in the status");
    statuses.stop();
  });
});

describe("claude-publish to a session's inbox", () => {
  test("sends to <prefix>/sessions/<target>/inbox, where that session admits it from the flow's session", async () => {
    const kitchen = await startedSession(sessionOptions(broker.url, { name: "kitchen", prefix }));
    peers.push(kitchen);
    await load({
      publish: { mode: "inbox", target: "kitchen" },
      extra: [{ id: "p2", type: "claude-publish", z: "f1", session: "s1", mode: "inbox", target: "", raw: false, retain: false }],
    });
    const admitted = nextEvent(kitchen, "admitted");
    send({ payload: "dinner is ready" });
    const [message] = await admitted;
    assert.equal(message.topic, `${prefix}/sessions/kitchen/inbox`);
    assert.equal(message.sender, "flowbot");
    assert.equal(message.content, "dinner is ready");

    const hall = await subscribe(`${prefix}/sessions/hall/inbox`);
    send({ target: "hall", payload: "from msg.target" }, "p2");
    assert.equal(envelope((await hall())[0]!.text).content, "from msg.target");
  });

  test("with msg.correlation_id the message is a request: the envelope carries it and names the own inbox as reply_to", async () => {
    await load({
      publish: { mode: "inbox", target: "kitchen" },
      extra: [{ id: "p2", type: "claude-publish", z: "f1", session: "s1", mode: "inbox", target: "kitchen", raw: true, retain: false }],
    });
    const kitchen = await subscribe(`${prefix}/sessions/kitchen/inbox`, 2);
    send({ payload: "is the oven off?", correlation_id: "ask-1" });
    send({ payload: "no request" });
    const [request, plain] = (await kitchen()).map((m) => envelope(m.text));
    assert.deepEqual(
      { sender: request!.sender, content: request!.content, correlation_id: request!.correlation_id, reply_to: request!.reply_to },
      { sender: "flowbot", content: "is the oven off?", correlation_id: "ask-1", reply_to: `${prefix}/sessions/flowbot/inbox` },
    );
    assert.deepEqual([plain!.correlation_id, plain!.reply_to], [undefined, undefined]);

    for (const [msg, problem] of [
      [{ payload: "x", correlation_id: 7 }, /msg\.correlation_id must be non-empty text/],
      [{ payload: "x", correlation_id: "ask-2" }, /needs the envelope .*: clear Raw/],
    ] as const) {
      const errors = received("errors");
      send(msg, msg.correlation_id === 7 ? "p1" : "p2");
      assert.match(String(((await errors)[0]!.error as { message: string }).message), problem);
    }
  });

  test("an invalid target name is reported, not published", async () => {
    await load({ publish: { mode: "inbox", target: "" } });
    const errors = received("errors");
    send({ target: "hall/+", payload: "x" });
    assert.match(String(((await errors)[0]!.error as { message: string }).message), /target: session name "hall\/\+" contains/);
  });
});

describe("claude-publish as the reply to a request", () => {
  test("serves another session's request: mqtt in → claude-gate → change → claude-publish (reply)", async () => {
    const inbox = `${prefix}/sessions/flowbot/inbox`;
    await load({
      gate: { mode: "admit", wires: [["answer"], [], []] },
      publish: { mode: "reply" },
      extra: [
        { id: "b1", type: "mqtt-broker", name: "broker", broker: "127.0.0.1", port: String(broker.port), clientid: "", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
        { id: "in1", type: "mqtt in", z: "f1", name: "", topic: inbox, qos: "1", datatype: "utf8", broker: "b1", nl: false, rap: true, rh: 0, inputs: 0, wires: [["g1"]] },
        {
          id: "answer",
          type: "change",
          z: "f1",
          rules: [{ t: "set", p: "payload", pt: "msg", to: "21.5 °C in the living room", tot: "str" }],
          wires: [["p1"]],
        },
      ],
    });
    const asker = await startedSession(sessionOptions(broker.url, { name: "asker", prefix }));
    peers.push(asker);
    assert.deepEqual(await askUntilAnswered(asker, "flowbot", "how warm is it?"), {
      content: "21.5 °C in the living room",
      sender: "flowbot",
    });
  });

  test("takes the address from an envelope in msg.payload (its content is the answer), else from msg", async () => {
    await load({ publish: { mode: "reply", replyAllow: ["replies/+"] } });
    const replies = await subscribe("replies/bob", 2);
    send({ payload: { content: "yes", reply_to: "replies/bob", correlation_id: "c-7" } });
    send({ payload: "no", reply_to: "replies/bob", correlation_id: "c-8" });
    const [first, second] = (await replies()).map((m) => envelope(m.text));
    assert.deepEqual(
      { sender: first!.sender, content: first!.content, correlation_id: first!.correlation_id, reply_to: first!.reply_to },
      { sender: "flowbot", content: "yes", correlation_id: "c-7", reply_to: undefined },
    );
    assert.deepEqual([second!.content, second!.correlation_id], ["no", "c-8"]);
  });

  test("a reply_to outside the reply space (session inboxes and replyAllow) is refused, counted and publishes nothing", async () => {
    const session = await load({ publish: { mode: "reply", replyAllow: ["replies/+"] } });
    const seen: string[] = [];
    const record = (topic: string): number => seen.push(topic);
    peer.on("message", record);
    await peer.subscribeAsync("victim/#", { qos: 1 });
    const inbox = await subscribe(`${prefix}/sessions/bob/inbox`, 1);
    const errors = received("errors");
    send({ payload: "on", reply_to: "victim/device/set", correlation_id: "c-1" });
    assert.match(String(((await errors)[0]!.error as { message: string }).message), /victim\/device\/set is outside the reply space/);
    send({ payload: "fine", reply_to: `${prefix}/sessions/bob/inbox`, correlation_id: "c-2" });
    assert.equal(envelope((await inbox())[0]!.text).content, "fine");
    // The refused reply would have come first: same publisher, same QoS 1 stream.
    peer.off("message", record);
    await peer.unsubscribeAsync("victim/#");
    assert.deepEqual(seen.filter((t) => t.startsWith("victim/")), []);
    assert.equal(session.status().counts.refused["outside-reply-space"], 1);
  });

  test("a message with nothing to reply to goes to Catch", async () => {
    await load({ publish: { mode: "reply" } });
    const errors = received("errors");
    send({ payload: "an answer to nobody" });
    assert.match(String(((await errors)[0]!.error as { message: string }).message), /nothing to reply to/);
  });
});

describe("claude-publish problems", () => {
  test("a Buffer that is not UTF-8 text is refused with the reason", async () => {
    await load({ publish: { topic: "out/bin" } });
    const errors = received("errors");
    send({ payload: Buffer.from([0xff, 0xfe, 0x00]) });
    assert.match(String(((await errors)[0]!.error as { message: string }).message), /not UTF-8 text/);
  });

  test("a wildcard in the node's topic is a configuration error: logged, shown, and each message reported", async () => {
    const statuses = recordStatuses();
    await helper.load(claudeNodes, gateFlow(broker.url, prefix, { publish: { topic: "out/#" } }));
    assert.ok(logged(LOG_ERROR, "p1").some((m) => /topic: topic "out\/#" contains a wildcard/.test(m)));
    assert.ok(statuses.of("p1").some((s) => s.fill === "red" && /topic/.test(s.text ?? "")));
    const errors = received("errors");
    send({ payload: "x" });
    assert.match(String(((await errors)[0]!.error as { message: string }).message), /wildcard/);
    statuses.stop();
  });

  test("while the broker is down, a publish fails with the reason and the status says disconnected", async () => {
    await load({ publish: { topic: "out/down" } });
    const statuses = recordStatuses();
    await broker.kill();
    try {
      await waitFor(() => statuses.of("p1").find((s) => s.text === "node-red:common.status.disconnected" || s.text === "node-red:common.status.connecting"), "the lost connection in the status");
      const errors = received("errors");
      send({ payload: "nobody hears this" });
      assert.match(String(((await errors)[0]!.error as { message: string }).message), /not connected/);
    } finally {
      await broker.start();
      statuses.stop();
    }
  });
});

/** The mqtt in node subscribes some time after the flow starts: a request sent before that is lost, so ask again. */
async function askUntilAnswered(asker: Session, target: string, text: string, attempts = 10): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await asker.request(target, text, 1);
    } catch (err) {
      if (attempt >= attempts || !/timed out/.test((err as Error).message)) throw err;
    }
  }
}
