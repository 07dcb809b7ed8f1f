import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { nextEvent, sessionOptions, tempDir, uniquePrefix } from "../helpers/session.js";
import type { LinkHost } from "../../session/link/host.js";
import { linkedSession } from "../../session/link/hosted.js";
import { LinkClient } from "../../session/link/client.js";
import { encodeFrame } from "../../session/link/protocol.js";
import { fileOutboxStore, type OutboxStore } from "../../session/link/outbox-store.js";
import { Session } from "../../session/session.js";
import type { AdmittedMessage } from "../../session/types.js";
import { renderOutcome } from "../../session/tools/run.js";

const KEY = "0123456789abcdef0123456789abcdef";
let broker: TestBroker;
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  broker = await startBroker();
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await broker.stop();
});

interface Flow {
  session: Session;
  host: LinkHost;
  stop(): Promise<void>;
}

async function flowSession(prefix: string, outboxLimit?: number, outboxStore?: OutboxStore): Promise<Flow> {
  const { session, link: host, attached } = linkedSession(
    // Pacing has tests of its own; here every message is to cross the link.
    sessionOptions(broker.url, { name: "home", prefix, host: "flow", pacing: { intervalSeconds: 0, perMinute: 0 } }),
    { key: KEY, ...(outboxLimit ? { outboxLimit } : {}), ...(outboxStore ? { outboxStore } : {}) },
  );
  await attached;
  const connected = nextEvent(session, "state", (s) => s === "connected");
  session.start();
  await connected;
  const stop = async (): Promise<void> => {
    await host.stop();
    await session.stop();
  };
  cleanups.push(stop);
  return { session, host, stop };
}

async function bridge(prefix: string, key = KEY): Promise<LinkClient & { received: AdmittedMessage[]; notices: string[] }> {
  const client = Object.assign(new LinkClient({ brokerUrl: broker.url, prefix, name: "home", key, callTimeoutMs: 2000 }), {
    received: [] as AdmittedMessage[],
    notices: [] as string[],
  });
  client.on("admitted", (m) => client.received.push(m));
  client.on("notice", (n) => client.notices.push(n));
  client.start();
  cleanups.push(() => client.stop());
  await client.waitForStatus(5000);
  return client;
}

async function until(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function publishInbox(flow: Flow, texts: string[]): Promise<void> {
  const client = await mqtt.connectAsync(broker.url);
  for (const text of texts) await client.publishAsync(flow.session.topics.inbox, JSON.stringify({ sender: "tester", ts: "", content: text }), { qos: 1 });
  await client.endAsync();
}

describe("flow link between a flow-hosted session and a bridge", () => {
  test("tool calls from the bridge run on the flow's session", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix);
    const client = await bridge(prefix);
    await until(() => client.status?.status === "online", "flow status");
    const outcome = await client.call("admit", { pattern: "garage/#" });
    assert.equal(outcome.isError, false, outcome.text);
    assert.match(renderOutcome(outcome).text, /Admitted "garage\/#"/);
    assert.ok(flow.session.status().admitted.includes("garage/#"));
    const bad = await client.call("admit", { pattern: "a/#/b" });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /only allowed as the last level/);
  });

  test("admitted messages reach the bridge in order, including those sent before it attached", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix);
    await publishInbox(flow, ["one", "two"]);
    await until(() => flow.host.stats().outbox === 2, "outbox to hold two");
    const client = await bridge(prefix);
    await publishInbox(flow, ["three"]);
    await until(() => client.received.length === 3, "three deliveries");
    assert.deepEqual(client.received.map((m) => m.content), ["one", "two", "three"]);
    await until(() => flow.host.stats().outbox === 0, "acks to empty the outbox");
  });

  test("a bridge restart loses nothing inside the outbox bound", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix);
    const first = await bridge(prefix);
    await publishInbox(flow, ["a"]);
    await until(() => first.received.length === 1, "first delivery");
    await first.stop();
    await publishInbox(flow, ["b", "c"]);
    const second = await bridge(prefix);
    await until(() => second.received.length === 2, "replayed deliveries");
    assert.deepEqual(second.received.map((m) => m.content), ["b", "c"]);
  });

  test("when the outbox overflows the oldest go first and the next bridge is told", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix, 2);
    await publishInbox(flow, ["1", "2", "3", "4"]);
    await until(() => flow.host.stats().droppedWhileAway === 2, "two drops");
    const client = await bridge(prefix);
    await until(() => client.received.length === 2, "the two kept");
    assert.deepEqual(client.received.map((m) => m.content), ["3", "4"]);
    assert.match(client.notices.join("\n"), /2 admitted message\(s\) were dropped/);
  });

  test("frames signed with a wrong key or not at all are refused and counted", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix);
    const impostor = await bridge(prefix, "f".repeat(32));
    const outcome = await impostor.call("status", {}, 1000);
    assert.equal(outcome.isError, true);
    await until(() => (flow.host.stats().refused["bad-signature"] ?? 0) >= 1, "refusal count");

    const client = await bridge(prefix);
    const raw = await mqtt.connectAsync(broker.url);
    await raw.publishAsync(flow.session.topics.channel, JSON.stringify({ v: 1, type: "event", body: { seq: 1 } }), { qos: 1 });
    const forged = encodeFrame("f".repeat(32), flow.session.topics.channel, "event", "flow", {
      epoch: flow.host.epoch,
      seq: 1,
      message: { topic: "x", content: "injected", kind: "text", receivedAt: Date.now(), pattern: "#", via: "mqtt" },
    });
    await raw.publishAsync(flow.session.topics.channel, forged, { qos: 1 });
    await raw.endAsync();
    await until(() => client.stats().refused.unsigned >= 1 && client.stats().refused["bad-signature"] >= 1, "bridge refusals");
    assert.equal(client.received.length, 0);
  });

  test("with the flow gone, tool calls fail at once with a clear reason", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix);
    const client = await bridge(prefix);
    await until(() => client.status?.status === "online", "flow online");
    await flow.stop();
    await until(() => client.status?.status === "offline", "flow offline");
    const outcome = await client.call("status", {});
    assert.equal(outcome.isError, true);
    assert.match(outcome.text, /flow hosting session "home" is offline/);
  });

  test("a redeployed flow session is found again by itself", async () => {
    const prefix = uniquePrefix();
    const first = await flowSession(prefix);
    const client = await bridge(prefix);
    await publishInbox(first, ["before"]);
    await until(() => client.received.length === 1, "first delivery");
    await first.stop();
    const second = await flowSession(prefix);
    await until(() => client.status?.status === "online" && second.host.stats().bridges.length === 1, "bridge attached to the new session");
    await publishInbox(second, ["after"]);
    await until(() => client.received.length === 2, "delivery from the new session");
    assert.equal(client.received[1]!.content, "after");
  });

  test("a call captured before a redeploy and sent again is refused by the next session, and not run", async () => {
    const prefix = uniquePrefix();
    const first = await flowSession(prefix);
    const spy = await mqtt.connectAsync(broker.url);
    cleanups.push(() => spy.endAsync());
    const captured: Buffer[] = [];
    spy.on("message", (_topic, payload) => captured.push(payload));
    await spy.subscribeAsync(first.session.topics.rpc, { qos: 1 });
    const client = await bridge(prefix);
    await until(() => client.status?.status === "online", "flow status");
    const admitted = await client.call("admit", { pattern: "garage/#" });
    assert.equal(admitted.isError, false, admitted.text);
    const call = captured.find((frame) => JSON.parse(frame.toString()).type === "call");
    assert.ok(call, "the admit call was seen on the rpc topic");
    await first.stop();
    const second = await flowSession(prefix);
    await second.session.removePattern("admitted", "garage/#");
    await spy.publishAsync(second.session.topics.rpc, call, { qos: 1 });
    await until(() => second.host.stats().refused["other-epoch"] === 1, "the replayed call to be refused");
    assert.equal(second.session.status().admitted.includes("garage/#"), false, "the replayed admit did not run");
    await until(() => client.status?.status === "online" && second.host.stats().bridges.length === 1, "bridge attached to the new session");
    const after = await client.call("admit", { pattern: "porch/#" });
    assert.equal(after.isError, false, after.text);
  });

  test("a call the bridge sent to a session that has since restarted is answered as not run", async () => {
    const prefix = uniquePrefix();
    const flow = await flowSession(prefix);
    const client = await bridge(prefix);
    await until(() => client.status?.status === "online", "flow status");
    const spy = await mqtt.connectAsync(broker.url);
    cleanups.push(() => spy.endAsync());
    const replyTopic = `${flow.session.topics.rpc}/${client.id}`;
    const answers: string[] = [];
    spy.on("message", (_topic, payload) => answers.push(payload.toString()));
    await spy.subscribeAsync(replyTopic, { qos: 1 });
    const frame = encodeFrame(KEY, flow.session.topics.rpc, "call", client.id, { id: "c1", tool: "admit", args: { pattern: "attic/#" }, epoch: "an-earlier-epoch" });
    await spy.publishAsync(flow.session.topics.rpc, frame, { qos: 1 });
    await until(() => answers.some((a) => a.includes("not run")), "the not-run answer");
    assert.equal(flow.session.status().admitted.includes("attic/#"), false);
    assert.equal(flow.host.stats().refused["other-epoch"], 1);
  });

  test("messages not yet delivered wait on disk for the next session of the same name", async () => {
    const prefix = uniquePrefix();
    const path = join(tempDir(), "outbox", "home.jsonl");
    const problems: string[] = [];
    const first = await flowSession(prefix, undefined, fileOutboxStore(path, (p) => problems.push(p)));
    await publishInbox(first, ["kept 1", "kept 2"]);
    await until(() => first.host.stats().outbox === 2, "two undelivered");
    await first.stop();
    const second = await flowSession(prefix, undefined, fileOutboxStore(path, (p) => problems.push(p)));
    assert.equal(second.host.stats().outbox, 2);
    const client = await bridge(prefix);
    await until(() => client.received.length === 2, "the saved messages at the bridge");
    assert.deepEqual(client.received.map((m) => m.content), ["kept 1", "kept 2"]);
    assert.deepEqual(problems, []);
  });

  test("a message delivered but not yet acknowledged when the flow session ends is sent again by the next one, and reaches Claude once", async () => {
    const prefix = uniquePrefix();
    const path = join(tempDir(), "outbox", "home.jsonl");
    const first = await flowSession(prefix, undefined, fileOutboxStore(path, () => undefined));
    const client = await bridge(prefix);
    await until(() => first.host.stats().bridges.length === 1, "bridge attached");
    // The session ends the moment the bridge has the message: its acknowledgement (sent 100 ms later) finds no one.
    const ended = new Promise<void>((resolve) => client.once("admitted", () => void first.stop().then(resolve)));
    await publishInbox(first, ["once"]);
    await ended;
    const second = await flowSession(prefix, undefined, fileOutboxStore(path, () => undefined));
    assert.equal(second.host.stats().outbox, 1, "the unacknowledged message waits for the next session");
    await until(() => client.stats().repeatsSkipped === 1, "the repeat recognised by the bridge");
    await publishInbox(second, ["after"]);
    await until(() => client.received.length === 2, "the next message");
    assert.deepEqual(client.received.map((m) => m.content), ["once", "after"]);
    await until(() => second.host.stats().outbox === 0, "the repeat acknowledged too");
  });

  test("the journal holds what is undelivered at every moment, so a process killed without stopping loses nothing", async () => {
    const prefix = uniquePrefix();
    const path = join(tempDir(), "outbox", "home.jsonl");
    const problems: string[] = [];
    const first = await flowSession(prefix, undefined, fileOutboxStore(path, (p) => problems.push(p)));
    await publishInbox(first, ["kept 1", "kept 2", "kept 3"]);
    await until(() => first.host.stats().outbox === 3, "three undelivered");
    // As a kill -9 leaves it: nothing saved at stop, only what was journalled as it happened.
    const read = (): string[] => fileOutboxStore(path, (p) => problems.push(p)).load().map((m) => m.content);
    assert.deepEqual(read(), ["kept 1", "kept 2", "kept 3"]);
    const client = await bridge(prefix);
    await until(() => client.received.length === 3 && first.host.stats().outbox === 0, "delivery and acknowledgement");
    assert.deepEqual(read(), [], "acknowledged messages leave the journal");
    assert.deepEqual(problems, []);
  });

  test("a broken outbox file is moved aside and reported, not taken as empty in silence", () => {
    const dir = tempDir();
    const path = join(dir, "home.jsonl");
    writeFileSync(path, '[{"topic": 1}]');
    const problems: string[] = [];
    assert.deepEqual(fileOutboxStore(path, (p) => problems.push(p)).load(), []);
    assert.match(problems.join("\n"), /is not valid \(line 1: not an outbox entry\); 0 message\(s\) before that were recovered, and the file was moved aside/);
    assert.ok(readdirSync(dir).some((f) => f.startsWith("home.jsonl.corrupt-")));
  });

  test("a torn last line: the messages before it are recovered, the file moved aside and reported", () => {
    const dir = tempDir();
    const path = join(dir, "home.jsonl");
    const store = fileOutboxStore(path, () => undefined);
    const message = (content: string) => ({ topic: "t", content, kind: "text" as const, receivedAt: 1, pattern: "t", via: "flow" as const });
    store.added(message("one"));
    store.added(message("two"));
    store.added(message("three"));
    store.removed(1);
    appendFileSync(path, '{"add": {"topic": "t", "cont');
    const problems: string[] = [];
    const again = fileOutboxStore(path, (p) => problems.push(p));
    assert.deepEqual(again.load().map((m) => m.content), ["two", "three"]);
    assert.match(problems.join("\n"), /line 5: not JSON.*2 message\(s\) before that were recovered/);
    assert.ok(readdirSync(dir).some((f) => f.startsWith("home.jsonl.corrupt-")));
    assert.deepEqual(fileOutboxStore(path, () => undefined).load().map((m) => m.content), ["two", "three"], "the recovered outbox was written back");
  });
});
