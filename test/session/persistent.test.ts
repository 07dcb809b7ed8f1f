/**
 * Persistent MQTT 5 sessions against a real Mosquitto: what the broker queues while a session
 * is away, copies for overlapping subscriptions, a takeover by a second instance, and the
 * fall-back to MQTT 3.1.1 where the broker (aedes) refuses MQTT 5.
 */
import { after, afterEach, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { startEmbeddedBroker } from "../../demo/embedded-broker.js";
import { Session } from "../../session/session.js";
import type { AdmittedMessage, SessionOptions } from "../../session/types.js";
import { Peer } from "../bridge/harness.js";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { nextEvent, sessionOptions } from "../helpers/session.js";

let broker: TestBroker;
let peer: Peer;
const sessions: Session[] = [];

before(async () => {
  broker = await startBroker();
  peer = await Peer.connect(broker.url);
});
after(async () => {
  await peer.end();
  await broker.stop();
});
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.stop();
});

async function started(options: SessionOptions): Promise<Session> {
  const session = new Session(options);
  sessions.push(session);
  const connected = nextEvent(session, "state", (state) => state === "connected");
  session.start();
  await connected;
  return session;
}

function collect(session: Session): AdmittedMessage[] {
  const seen: AdmittedMessage[] = [];
  session.on("admitted", (message) => seen.push(message));
  return seen;
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True (and the test skipped) on the embedded aedes broker, which has no MQTT 5. */
function withoutMqtt5(t: TestContext): boolean {
  if (broker.kind !== "aedes") return false;
  t.skip("the embedded aedes broker has no MQTT 5");
  return true;
}

describe("persistent sessions (MQTT 5)", () => {
  test("QoS 1 messages sent while the session is away reach it when it comes back under the same name", async (t) => {
    if (withoutMqtt5(t)) return;
    const options = sessionOptions(broker.url, { pinned: { admitted: [], watched: [], muted: [] } });
    const first = await started({ ...options, pinned: { admitted: [`${options.prefix}/away/#`], watched: [], muted: [] } });
    assert.deepEqual(
      { ...first.status().connection.mqtt, clientId: undefined },
      { protocol: "5", persistent: true, clientId: undefined },
    );
    await first.stop();
    for (let i = 0; i < 5; i++) await peer.publish(`${options.prefix}/away/door`, `opened ${i}`);

    const second = new Session({ ...options, pinned: { admitted: [`${options.prefix}/away/#`], watched: [], muted: [] } });
    sessions.push(second);
    const seen = collect(second);
    second.start();
    await until(() => seen.length === 5, "the five messages sent while away");
    assert.deepEqual(seen.map((m) => m.content), ["opened 0", "opened 1", "opened 2", "opened 3", "opened 4"]);
  });

  test("with sessionExpirySeconds 0 the session is clean: what was sent while away is gone", async (t) => {
    if (withoutMqtt5(t)) return;
    const base = sessionOptions(broker.url, { sessionExpirySeconds: 0 });
    const options = { ...base, pinned: { admitted: [`${base.prefix}/away/#`], watched: [], muted: [] } };
    const first = await started(options);
    assert.equal(first.status().connection.mqtt.persistent, false);
    await first.stop();
    await peer.publish(`${options.prefix}/away/door`, "opened");
    const second = await started(options);
    const seen = collect(second);
    await peer.publish(`${options.prefix}/away/door`, "closed");
    await until(() => seen.length === 1, "the message sent after it came back");
    assert.deepEqual(seen.map((m) => m.content), ["closed"]);
  });

  test("a message matching two of the session's subscriptions reaches it once; the copy is counted", async (t) => {
    if (withoutMqtt5(t)) return;
    const base = sessionOptions(broker.url);
    const session = await started({ ...base, pinned: { admitted: [`${base.prefix}/a/+`], watched: [`${base.prefix}/a/b`, `${base.prefix}/+/b`], muted: [] } });
    const seen = collect(session);
    await peer.publish(`${base.prefix}/a/b`, "one");
    await peer.publish(`${base.prefix}/a/b`, "one");
    await until(() => seen.length === 2, "both messages");
    // A marker after them: once it is in, any further copy would be too.
    await peer.publish(`${base.prefix}/a/c`, "marker");
    await until(() => seen.length === 3, "the marker");
    assert.deepEqual(seen.map((m) => m.content), ["one", "one", "marker"], "the same payload sent twice is two messages");
    assert.equal(session.status().counts.dropped["overlap-copy"], 4, "two copies of each of the two messages");
  });

  test("a second instance under the same name takes the broker session over; the first goes on clean, and neither knocks the other off", async (t) => {
    if (withoutMqtt5(t)) return;
    const base = sessionOptions(broker.url);
    const options = { ...base, pinned: { admitted: [`${base.prefix}/t/#`], watched: [], muted: [] } };
    const first = await started(options);
    const second = new Session(options);
    sessions.push(second);
    let reconnects = 0;
    second.on("state", (state) => {
      if (state === "reconnecting") reconnects++;
    });
    second.start();
    await until(() => first.status().connection.mqtt.note !== undefined && first.state === "connected", "the first to go on after the takeover");
    const firstMode = first.status().connection.mqtt;
    assert.equal(firstMode.persistent, false);
    assert.match(firstMode.note ?? "", /^taken over by a newer instance of session "alpha" \(\w{8}\), which uses client id claude-bridge:t\w+\/alpha: since \S+ this one goes on with a clean session as claude-alpha-\w{8}/);
    assert.notEqual(firstMode.clientId, second.status().connection.mqtt.clientId);

    const seenByFirst = collect(first);
    const seenBySecond = collect(second);
    await until(() => second.state === "connected", "the second to be connected");
    await peer.publish(`${base.prefix}/t/x`, "both hear it");
    await until(() => seenByFirst.length === 1 && seenBySecond.length === 1, "both instances to get the message");
    assert.equal(second.status().connection.mqtt.persistent, true, "the newer instance keeps the persistent session");
    // The older one took the id back once before it learnt of the newer one; never again.
    assert.ok(reconnects <= 1, `the second instance reconnected ${reconnects} times`);
  });
});

describe("a broker without MQTT 5", () => {
  test("aedes refuses MQTT 5: the session connects with MQTT 3.1.1, a clean session, and says so", async () => {
    const aedes = await startEmbeddedBroker(0);
    try {
      const url = `mqtt://127.0.0.1:${aedes.port}`;
      const base = sessionOptions(url);
      const session = await started({ ...base, pinned: { admitted: [`${base.prefix}/x`], watched: [], muted: [] } });
      const mode = session.status().connection.mqtt;
      assert.equal(mode.protocol, "3.1.1");
      assert.equal(mode.persistent, false);
      assert.match(mode.note ?? "", /the broker refused MQTT 5: MQTT 3.1.1 with a clean session/);
      const seen = collect(session);
      const aedesPeer = await Peer.connect(url);
      await aedesPeer.publish(`${base.prefix}/x`, "still works");
      await aedesPeer.end();
      await until(() => seen.length === 1, "the message over MQTT 3.1.1");
    } finally {
      for (const session of sessions.splice(0)) await session.stop();
      await aedes.close();
    }
  });
});
