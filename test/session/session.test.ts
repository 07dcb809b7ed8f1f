import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { fileStore, nextEvent, sessionOptions, startedSession, tempDir, uniquePrefix } from "../helpers/session.js";
import { Session } from "../../session/session.js";

let broker: TestBroker;
let peer: MqttClient;
const open: Session[] = [];

async function session(overrides: Parameters<typeof sessionOptions>[1] = {}): Promise<Session> {
  const s = await startedSession(sessionOptions(broker.url, overrides));
  open.push(s);
  return s;
}

before(async () => {
  broker = await startBroker();
  peer = await mqtt.connectAsync(broker.url);
});
after(async () => {
  await Promise.all(open.map((s) => s.stop()));
  await peer.endAsync();
  await broker.stop();
});

describe("Session on a real broker", () => {
  test("publishes a retained online status after connecting and offline on stop", async () => {
    const s = await session();
    const statuses: Array<Record<string, unknown>> = [];
    const watcher = await mqtt.connectAsync(broker.url);
    watcher.on("message", (_t, payload) => statuses.push(JSON.parse(payload.toString()) as Record<string, unknown>));
    await watcher.subscribeAsync(s.topics.status, { qos: 1 });
    await waitFor(() => statuses.length >= 1);
    assert.equal(statuses[0]!.status, "online");
    assert.equal(statuses[0]!.session, "alpha");
    await s.stop();
    await waitFor(() => statuses.some((p) => p.status === "offline"));
    assert.equal(statuses.at(-1)!.reason, "shutdown");
    await s.stop(); // idempotent
    assert.equal(s.state, "stopped");
    await watcher.endAsync();
  });

  test("another client's retained offline on the status topic of a running session is answered with online", async () => {
    const s = await session();
    const statuses: Array<Record<string, unknown>> = [];
    const watcher = await mqtt.connectAsync(broker.url);
    watcher.on("message", (_t, payload) => statuses.push(JSON.parse(payload.toString()) as Record<string, unknown>));
    await watcher.subscribeAsync(s.topics.status, { qos: 1 });
    await waitFor(() => statuses.length >= 1);
    // What a bridge that hosted the same session name while the flow was down leaves behind when it ends.
    await peer.publishAsync(s.topics.status, JSON.stringify({ status: "offline", session: "alpha", reason: "stand-in ended" }), { qos: 1, retain: true });
    await waitFor(() => statuses.length >= 3);
    assert.deepEqual(
      statuses.map((p) => [p.status, p.reason ?? ""]),
      [["online", ""], ["offline", "stand-in ended"], ["online", ""]],
    );
    await watcher.endAsync();
  });

  test("messages on the own inbox are admitted by default, with the envelope's sender", async () => {
    const s = await session();
    const admitted = nextEvent(s, "admitted");
    await peer.publishAsync(s.topics.inbox, JSON.stringify({ sender: "bob", ts: "x", content: "hi" }), { qos: 1 });
    const [message] = await admitted;
    assert.equal(message.content, "hi");
    assert.equal(message.sender, "bob");
    assert.equal(message.topic, s.topics.inbox);
  });

  test("a watched topic buffers and inbox reads it by pattern; mute beats admit", async () => {
    const s = await session();
    await s.addPattern("watched", "home/+/temp");
    await s.addPattern("admitted", "home/door");
    await s.addPattern("muted", "home/door");
    const watched = nextEvent(s, "watched");
    const muted = nextEvent(s, "dropped", (d) => d.reason === "muted");
    await peer.publishAsync("home/kitchen/temp", "21.5", { qos: 1 });
    await peer.publishAsync("home/door", "open", { qos: 1 });
    await watched;
    await muted;
    const read = s.inbox({ filter: "home/#" });
    assert.equal(read.kind, "messages");
    assert.deepEqual(read.kind === "messages" && read.messages.map((m) => m.content), ["21.5"]);
  });

  test("request is answered by another client through reply_to and correlation_id", async () => {
    const s = await session();
    const responder = await mqtt.connectAsync(broker.url);
    const bobInbox = `${s.topics.base.replace(/\/alpha$/, "")}/bob/inbox`;
    await responder.subscribeAsync(bobInbox, { qos: 1 });
    responder.on("message", (_topic, payload) => {
      const req = JSON.parse(payload.toString()) as { correlation_id: string; reply_to: string };
      void responder.publishAsync(req.reply_to, JSON.stringify({ sender: "bob", ts: new Date().toISOString(), content: "pong", correlation_id: req.correlation_id }), { qos: 1 });
    });
    const reply = await s.request("bob", "ping", 5);
    assert.equal(reply.content, "pong");
    await responder.endAsync();
  });

  test("a request nobody answers times out with an error", async () => {
    const s = await session();
    await assert.rejects(s.request("nobody", "hello?", 1), /timed out after 1s/);
    assert.equal(s.status().pendingRequests, 0);
  });

  test("our own raw publish does not come back as an admitted message", async () => {
    const s = await session();
    await s.addPattern("admitted", "lights/#");
    const echo = nextEvent(s, "dropped", (d) => d.reason === "echo");
    await s.publish({ topic: "lights/kitchen", text: "ON", raw: true });
    await echo;
    assert.equal(s.status().counts.admitted, 0);
  });

  test("lists persist to the session file and come back in a new session", async () => {
    const dir = tempDir();
    const prefix = `p${Date.now()}`;
    const first = await session({ prefix, store: fileStore(dir, "alpha") });
    await first.addPattern("admitted", "home/#");
    await first.addPattern("muted", "spam");
    await first.stop();
    const text = readFileSync(join(dir, "sessions", "alpha.json"), "utf8");
    assert.deepEqual(JSON.parse(text).admitted, [`${prefix}/sessions/alpha/inbox`, "home/#"]);
    const second = await session({ prefix, store: fileStore(dir, "alpha") });
    assert.ok(second.status().admitted.includes("home/#"));
    assert.ok(second.status().activeSubscriptions.includes("home/#"));
    const admitted = nextEvent(second, "admitted");
    await peer.publishAsync("home/hall", "motion", { qos: 1 });
    assert.equal((await admitted)[0].content, "motion");
  });

  test("a corrupt session file is moved aside and reported, never overwritten", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "sessions"));
    writeFileSync(join(dir, "sessions", "alpha.json"), '{"admitted": null, ');
    const s = await session({ store: fileStore(dir, "alpha") });
    const problems = s.status().problems.join("\n");
    assert.match(problems, /corrupt/);
    const files = readdirSync(join(dir, "sessions"));
    const aside = files.find((f) => f.startsWith("alpha.json.corrupt-"));
    assert.ok(aside, `expected a moved-aside file, got ${files.join(", ")}`);
    assert.equal(readFileSync(join(dir, "sessions", aside), "utf8"), '{"admitted": null, ');
  });

  test("publishing while the broker is down fails instead of pretending success", async () => {
    const s = new Session(sessionOptions("mqtt://127.0.0.1:1"));
    open.push(s);
    s.start();
    await assert.rejects(s.publish({ topic: "a/b", text: "x" }), /not connected/);
    await assert.rejects(s.request("bob", "x"), /not connected/);
    assert.notEqual(s.status().connection.state, "connected");
  });

  test("after a broker restart the subscriptions come back", async () => {
    const s = await session();
    await s.addPattern("admitted", "restart/#");
    const reconnected = nextEvent(s, "state", (state) => state === "connected", 15_000);
    await broker.restart();
    await reconnected;
    const again = await mqtt.connectAsync(broker.url);
    const admitted = nextEvent(s, "admitted", (m) => m.topic === "restart/x");
    await again.publishAsync("restart/x", "back", { qos: 1 });
    assert.equal((await admitted)[0].content, "back");
    await again.endAsync();
    peer.end(true);
    peer = await mqtt.connectAsync(broker.url);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("Session fed by both paths", () => {
  test("a message that arrives by its own subscription and through a flow is admitted once", async () => {
    const s = await session({ host: "flow" });
    await s.addPattern("admitted", "both/#");
    const admitted: string[] = [];
    s.on("admitted", (m) => admitted.push(`${m.via}:${m.content}`));
    const first = nextEvent(s, "admitted");
    await peer.publishAsync("both/door", "open", { qos: 1 });
    await first;
    const outcome = s.ingest("both/door", { kind: "text", content: "open", bytes: 4 }, { via: "flow" });
    assert.deepEqual(outcome, { tier: "admitted", pattern: "both/#" }, "the flow still sees the tier");
    s.ingest("both/door", { kind: "text", content: "closed", bytes: 6 }, { via: "flow" });
    assert.deepEqual(admitted, ["mqtt:open", "flow:closed"]);
    assert.equal(s.status().counts.dropped.duplicate, 1);
  });
});

describe("Session sharing its name", () => {
  test("a second host of the same session is reported as a problem by the first", async () => {
    const prefix = uniquePrefix();
    const flow = await session({ prefix, host: "flow", heartbeatSeconds: 1 });
    const bridge = await session({ prefix, host: "bridge", heartbeatSeconds: 1 });
    await waitFor(() => bridge.status().problems.some((p) => /a Node-RED flow now hosts session "alpha" too/.test(p)));
    await waitFor(() => flow.status().problems.some((p) => /another bridge is also running session "alpha"/.test(p)));
  });
});
