import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { tempDir, uniquePrefix } from "../helpers/session.js";
import { BridgeClient, bridgeEnv, eventually, Peer, spawnRaw, startBridge, writeStateFile, type BridgeOptions, type RawBridge } from "./harness.js";

let broker: TestBroker;
const bridges: BridgeClient[] = [];
const peers: Peer[] = [];
const raws: RawBridge[] = [];

function spawnBridge(env: Record<string, string>): RawBridge {
  const raw = spawnRaw(env);
  raws.push(raw);
  return raw;
}

async function bridge(options: BridgeOptions = {}): Promise<BridgeClient> {
  const b = await startBridge({ brokerUrl: broker.url, ...options });
  bridges.push(b);
  return b;
}

async function peer(): Promise<Peer> {
  const p = await Peer.connect(broker.url);
  peers.push(p);
  return p;
}

interface StatusMessage {
  status: string;
  session?: string;
  reason?: string;
  ts?: string;
  lastSeen?: string;
  connectedAt?: string;
  host?: string;
}

const statusOf = (payload: Buffer): StatusMessage => JSON.parse(payload.toString()) as StatusMessage;

/** A bridge as a bare process, plus a peer watching its status topic; resolves once it is online. */
async function rawOnline(): Promise<{ raw: RawBridge; watcher: Peer; statusTopic: string }> {
  const stateDir = tempDir("claude-bridge-");
  const prefix = uniquePrefix();
  const statusTopic = `${prefix}/sessions/alpha/status`;
  const watcher = await peer();
  await watcher.subscribe(statusTopic);
  const raw = spawnBridge(bridgeEnv({ brokerUrl: broker.url }, stateDir, prefix, "alpha"));
  await watcher.next((m) => statusOf(m.payload).status === "online", `the online status (stderr: ${raw.stderr()})`);
  return { raw, watcher, statusTopic };
}

before(async () => {
  broker = await startBroker();
});
afterEach(async () => {
  // A test that failed half-way must not leave a bridge running (it would keep this file alive).
  for (const raw of raws.splice(0)) if (raw.child.exitCode === null && raw.child.signalCode === null) raw.child.kill("SIGKILL");
  await Promise.all(bridges.splice(0).map((b) => b.close()));
  await Promise.all(peers.splice(0).map((p) => p.end()));
});
after(async () => {
  await broker.stop();
});

describe("retained status and shutdown", () => {
  test("publishes a retained online status; when stdin closes it publishes offline (shutdown) and exits 0", async () => {
    const { raw, watcher, statusTopic } = await rawOnline();
    const online = statusOf(watcher.received.find((m) => statusOf(m.payload).status === "online")!.payload);
    assert.equal(online.session, "alpha");
    assert.equal(online.host, "bridge");
    assert.ok(online.lastSeen);

    raw.child.stdin?.end();
    assert.deepEqual(await raw.exited, { code: 0, signal: null });
    const offline = await watcher.next((m) => statusOf(m.payload).status === "offline", "the offline status");
    assert.equal(statusOf(offline.payload).reason, "shutdown");
    assert.match(raw.stderr(), /shutting down \(stdin (ended|closed)\)/);

    const late = await peer();
    await late.subscribe(statusTopic);
    const retained = await late.next(() => true, "the retained status");
    assert.equal(retained.retain, true);
    assert.equal(statusOf(retained.payload).status, "offline");
    assert.equal(statusOf(retained.payload).reason, "shutdown");
  });

  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    test(`${signal} shuts down once: offline (shutdown), exit 0`, async () => {
      const { raw, watcher } = await rawOnline();
      raw.child.kill(signal);
      assert.deepEqual(await raw.exited, { code: 0, signal: null });
      const offline = await watcher.next((m) => statusOf(m.payload).status === "offline", "the offline status");
      assert.equal(statusOf(offline.payload).reason, "shutdown");
      assert.equal(raw.stderr().match(/shutting down/g)?.length, 1, raw.stderr());
    });
  }

  test("after kill -9 the broker publishes the Last Will: offline, connection lost", async () => {
    const { raw, watcher } = await rawOnline();
    raw.child.kill("SIGKILL");
    assert.equal((await raw.exited).signal, "SIGKILL");
    const will = await watcher.next((m) => statusOf(m.payload).status === "offline", "the Last Will");
    assert.equal(statusOf(will.payload).reason, "connection lost");
    assert.equal(statusOf(will.payload).session, "alpha");
    // Fixed at CONNECT, the Will cannot know when the bridge was last alive, and does not pretend to.
    assert.equal(statusOf(will.payload).lastSeen, undefined);
    assert.equal(statusOf(will.payload).ts, undefined);
    assert.ok(!Number.isNaN(Date.parse(String(statusOf(will.payload).connectedAt))));
  });
});

describe("stdout", () => {
  test("carries only JSON-RPC, while logs go to stderr", async () => {
    const stateDir = tempDir("claude-bridge-");
    const prefix = uniquePrefix();
    const watcher = await peer();
    await watcher.subscribe(`${prefix}/sessions/alpha/status`);
    const raw = spawnBridge(bridgeEnv({ brokerUrl: broker.url }, stateDir, prefix, "alpha"));
    await watcher.next((m) => statusOf(m.payload).status === "online", "the online status");
    const send = (message: object): void => void raw.child.stdin?.write(`${JSON.stringify(message)}\n`);
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "admit", arguments: { pattern: `${prefix}/x/#` } } });
    send({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "publish", arguments: { topic: "a/+" } } });
    send({ jsonrpc: "2.0", id: 5, method: "no/such/method" });
    // Only whole lines: a read can end in the middle of one.
    const responses = (): Array<Record<string, unknown>> =>
      raw.stdout().split("\n").slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    // Every response, the admit's too: it comes once the broker has acknowledged the subscription.
    await eventually(() => [1, 2, 3, 4, 5].every((id) => responses().some((r) => r.id === id)), "all responses");
    await watcher.publish(`${prefix}/x/1`, "to the channel");
    await eventually(() => responses().some((r) => r.method === "notifications/claude/channel"), "the channel notification");
    raw.child.stdin?.end();
    assert.equal((await raw.exited).code, 0);

    const lines = raw.stdout().split("\n");
    assert.equal(lines.pop(), "", "stdout ends with a newline");
    for (const line of lines) {
      const message = JSON.parse(line) as Record<string, unknown>;
      assert.equal(message.jsonrpc, "2.0", line);
    }
    assert.ok(raw.stderr().length > 0);
    for (const line of raw.stderr().split("\n").filter(Boolean)) assert.match(line, /^\[mqtt-channel(:alpha)?\] /);
  });
});

describe("persistence and reconnects", () => {
  test("lists come back after a restart, with their subscriptions: a message after the restart is admitted", async () => {
    const stateDir = tempDir("claude-bridge-");
    const prefix = uniquePrefix();
    const first = await bridge({ stateDir, prefix });
    await first.ok("admit", { pattern: "keep/#" });
    await first.ok("watch", { pattern: "later/#" });
    await first.ok("mute", { pattern: "keep/noisy" });
    await first.ok("config", { bufferMaxPerTopic: 7 });
    await first.close();
    const file = readFileSync(join(stateDir, "sessions", "alpha.json"), "utf8");
    assert.equal(
      file,
      JSON.stringify(
        { admitted: [`${prefix}/sessions/alpha/inbox`, "keep/#"], muted: ["keep/noisy"], watched: ["later/#"], bufferMaxAge: 3600, bufferMaxPerTopic: 7 },
        null,
        2,
      ),
    );

    const second = await bridge({ stateDir, prefix });
    const status = await second.status();
    assert.deepEqual(status.admitted, [`${prefix}/sessions/alpha/inbox`, "keep/#"]);
    assert.deepEqual(status.watched, ["later/#"]);
    assert.deepEqual(status.muted, ["keep/noisy"]);
    assert.equal(status.bufferMaxPerTopic, 7);
    assert.ok(status.activeSubscriptions.includes("keep/#"));
    assert.ok(status.activeSubscriptions.includes("later/#"));
    const p = await peer();
    await p.publish("keep/noisy", "muted still");
    await p.publish("keep/x", "after restart");
    await p.publish("later/y", "buffered");
    const n = await second.nextNotification((x) => x.meta.topic?.startsWith("keep/") ?? false);
    assert.equal(n.content, "after restart");
    await eventually(async () => (await second.status()).buffer["later/y"] === 1, "the watched message");
    assert.equal((await second.status()).counts.dropped.muted, 1);
  });

  test("after a broker restart the subscriptions come back and QoS 1 messages published afterwards are all admitted", async () => {
    // Every message is to arrive as a notification of its own: no coalescing.
    const b = await bridge({ env: { MQTT_COALESCE_INTERVAL: "0", MQTT_NOTIFY_MAX_PER_MINUTE: "0" } });
    await b.ok("admit", { pattern: "restart/#" });
    await broker.restart();
    const watcher = await peer();
    await watcher.subscribe(b.statusTopic);
    // The broker kept nothing, so an online status now was published after the reconnect,
    // which the session does only once every subscription is back.
    await watcher.next((m) => statusOf(m.payload).status === "online", "the online status after the restart");
    const sender = await peer();
    const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const text of sent) await sender.publish("restart/x", text);
    await eventually(() => b.notifications.filter((n) => n.meta.topic === "restart/x").length >= sent.length, "every message");
    assert.deepEqual(b.notifications.filter((n) => n.meta.topic === "restart/x").map((n) => n.content), sent);
    const status = await b.status();
    assert.equal(status.connection.state, "connected");
    assert.ok(status.activeSubscriptions.includes("restart/#"));
  });
});

describe("files written by claude-code-mqtt", () => {
  test("its .env and session file work unchanged, and the file is rewritten in its format with unknown keys kept", async () => {
    const stateDir = tempDir("claude-bridge-");
    const prefix = uniquePrefix();
    const inbox = `${prefix}/sessions/ref-session/inbox`;
    writeStateFile(
      stateDir,
      ".env",
      [
        "# claude-code-mqtt configuration",
        `MQTT_BROKER_URL=${broker.url}`,
        "# MQTT_USERNAME=",
        "# MQTT_PASSWORD=",
        `MQTT_TOPIC_PREFIX='${prefix}'`,
        'SESSION_NAME="ref-session"',
        "QOS=1",
        "# HEARTBEAT_INTERVAL=60",
        "",
      ].join("\r\n"),
    );
    writeStateFile(
      stateDir,
      "sessions/ref-session.json",
      `{\n  "admitted": [\n    "${inbox}",\n    "ref/#"\n  ],\n  "muted": [],\n  "watched": [\n    "refw/#"\n  ],\n  "bufferMaxAge": 3600,\n  "bufferMaxPerTopic": 50,\n  "lastUsed": "2026-01-01"\n}`,
    );
    const b = await bridge({ stateDir, prefix, name: "ref-session", omit: ["MQTT_BROKER_URL", "MQTT_TOPIC_PREFIX", "SESSION_NAME"] });
    const status = await b.status();
    assert.equal(status.session, "ref-session");
    assert.equal(status.broker, broker.url);
    assert.deepEqual(status.admitted, [inbox, "ref/#"]);
    assert.deepEqual(status.watched, ["refw/#"]);
    assert.deepEqual(status.problems, []);

    const p = await peer();
    await p.publish("ref/door", JSON.stringify({ sender: "other", ts: new Date().toISOString(), content: "opened" }));
    assert.equal((await b.nextNotification()).content, "opened");

    await b.ok("mute", { pattern: "ref/noise" });
    assert.equal(
      readFileSync(join(stateDir, "sessions", "ref-session.json"), "utf8"),
      `{\n  "admitted": [\n    "${inbox}",\n    "ref/#"\n  ],\n  "muted": [\n    "ref/noise"\n  ],\n  "watched": [\n    "refw/#"\n  ],\n  "bufferMaxAge": 3600,\n  "bufferMaxPerTopic": 50,\n  "lastUsed": "2026-01-01"\n}`,
    );
  });

  test("a corrupt session file is moved aside, kept byte for byte, and reported in status", async () => {
    const stateDir = tempDir("claude-bridge-");
    const corrupt = '{"admitted": ["a/#"], "muted": null';
    writeStateFile(stateDir, "sessions/alpha.json", corrupt);
    const b = await bridge({ stateDir });
    const status = await b.status();
    assert.equal(status.problems.length, 1);
    assert.match(status.problems[0]!, /alpha\.json is corrupt .*moved aside/);
    assert.deepEqual(status.admitted, [b.inbox]);
    const aside = readdirSync(join(stateDir, "sessions")).find((f) => f.startsWith("alpha.json.corrupt-"));
    assert.ok(aside);
    assert.equal(readFileSync(join(stateDir, "sessions", aside), "utf8"), corrupt);
    assert.match(b.stderr(), /ERROR: session file .*alpha\.json is corrupt/);

    await b.ok("admit", { pattern: "fresh/#" });
    assert.ok(existsSync(join(stateDir, "sessions", "alpha.json")));
    assert.equal(readFileSync(join(stateDir, "sessions", aside), "utf8"), corrupt);
  });
});
