/**
 * The Claude sidebar's runtime side in a loaded flow: the admin route lists every
 * claude-session node with its live counts, lists and flow link, and each change goes
 * out as one comms update on `claude-channel/session/<node id>`.
 */
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { parseInbound } from "../../core/envelope.js";
import type { SessionSnapshot, SessionUpdate } from "../../nodes/claude-session/sidebar/wire.js";
import { LinkClient } from "../../session/link/client.js";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { tempDir, uniquePrefix } from "../helpers/session.js";
import { claudeNodes, connected, deploy, gateFlow, helper, waitFor, type FlowParts } from "./helpers/red.js";

const KEY = "k3y-of-the-flow-link-0123456789abcdef";

/** helper.request(): supertest bound to the runtime's httpAdmin. */
interface AdminRequest {
  get(path: string): PromiseLike<{ status: number; body: unknown }>;
}
const admin = (): AdminRequest => (helper as unknown as { request(): AdminRequest }).request();

let broker: TestBroker;
let prefix: string;
let updates: Array<{ topic: string; data: SessionUpdate }>;
const onComms = (event: { topic: string; data: SessionUpdate }): void => {
  if (event.topic.startsWith("claude-channel/")) updates.push(event);
};

before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
});
beforeEach(() => {
  helper.settings({ userDir: tempDir("claude-sidebar-") });
  prefix = uniquePrefix();
  updates = [];
  helper._events.on("comms", onComms);
});
afterEach(async () => {
  helper._events.off("comms", onComms);
  await helper.unload();
});

async function sessions(): Promise<SessionSnapshot[]> {
  const response = await admin().get("/claude-channel/sessions");
  assert.equal(response.status, 200);
  return response.body as SessionSnapshot[];
}

/** The latest snapshot of `s1` published over comms that satisfies `check`. */
function published(check: (s: SessionSnapshot) => boolean, what: string): Promise<SessionSnapshot> {
  return waitFor(() => {
    for (const { data } of [...updates].reverse()) {
      if ("snapshot" in data && data.id === "s1" && check(data.snapshot)) return data.snapshot;
    }
    return undefined;
  }, `a comms update with ${what}`);
}

async function load(parts: FlowParts = {}, credentials = {}) {
  await helper.load(claudeNodes, gateFlow(broker.url, prefix, parts), credentials);
  return connected("s1");
}

function gate(topic: string, payload: string): void {
  helper.getNode("g1")!.receive({ topic, payload });
}

describe("the sidebar's admin route", () => {
  test("lists each session with its connection, counts, buffer, lists (the owner's, the session's own inbox, or Claude's) and last admitted events", async () => {
    const session = await load({ session: { admitted: ["home/door"], watched: ["home/+/temp"], muted: ["home/noisy"] } });
    await session.addPattern("watched", "garden/#");
    gate("home/door", "open");
    gate("home/kitchen/temp", "21.5");
    gate("home/noisy", "bzzz");
    gate("street/car", "passing");
    await waitFor(() => (session.status().counts.dropped.unmatched === 1 ? true : undefined), "the four messages gated");

    const [listed, ...others] = await sessions();
    assert.equal(others.length, 0);
    assert.ok(listed);
    assert.equal(listed.id, "s1");
    assert.equal(listed.name, "flowbot");
    assert.equal(listed.connection.state, "connected");
    assert.deepEqual(listed.link, { state: "no-key" });
    assert.deepEqual([listed.counts.admitted, listed.counts.watched, listed.counts.dropped.muted, listed.counts.dropped.unmatched], [1, 1, 1, 1]);
    assert.deepEqual([listed.buffer.messages, listed.buffer.topics], [1, 1]);
    assert.ok(listed.buffer.bytes > 0 && listed.buffer.maxBytes >= listed.buffer.bytes);
    // The session's own inbox is admitted by default, as Claude's own entry.
    assert.deepEqual(listed.lists.admitted, [
      { pattern: "home/door", origin: "owner" },
      { pattern: `${prefix}/sessions/flowbot/inbox`, origin: "inbox" },
    ]);
    assert.deepEqual(
      [...listed.lists.watched].sort((a, b) => a.pattern.localeCompare(b.pattern)),
      [
        { pattern: "garden/#", origin: "claude" },
        { pattern: "home/+/temp", origin: "owner" },
      ],
    );
    assert.deepEqual(listed.lists.muted, [{ pattern: "home/noisy", origin: "owner" }]);
    assert.equal(listed.recent.length, 1);
    assert.deepEqual([listed.recent[0]!.topic, listed.recent[0]!.preview, listed.recent[0]!.via, listed.recent[0]!.pattern], ["home/door", "open", "flow", "home/door"]);
  });

  test("keeps only the last 20 admitted events, each cut to a preview", async () => {
    const session = await load({ session: { admitted: ["home/#"] } });
    for (let i = 1; i <= 25; i++) gate(`home/event/${i}`, i === 25 ? "x".repeat(1000) : `event ${i}`);
    await waitFor(() => (session.status().counts.admitted === 25 ? true : undefined), "25 admitted");
    const [listed] = await sessions();
    assert.deepEqual(
      listed!.recent.map((r) => r.topic),
      Array.from({ length: 20 }, (_, i) => `home/event/${i + 6}`),
    );
    const last = listed!.recent.at(-1)!;
    assert.equal(last.truncated, true);
    assert.equal(last.preview.length, 200);
  });

  test("shows the flow link: the attached bridge, the outbox and refused frames", async () => {
    await load({}, { s1: { linkKey: KEY } });
    const idle = await published((s) => s.link.state === "serving", "the link serving");
    assert.deepEqual(idle.link.state === "serving" && [idle.link.bridges.length, idle.link.outbox], [0, 0]);

    const bridge = new LinkClient({ brokerUrl: broker.url, prefix, name: "flowbot", key: KEY, callTimeoutMs: 2000 });
    bridge.start();
    const forger = await mqtt.connectAsync(broker.url);
    try {
      const attached = await published((s) => s.link.state === "serving" && s.link.bridges.length === 1, "one bridge attached");
      assert.deepEqual(attached.link.state === "serving" && attached.link.refused, { malformed: 0, oversize: 0, nested: 0, unsigned: 0, "bad-signature": 0, stale: 0, replayed: 0, "unexpected-type": 0, "other-epoch": 0 });

      await forger.publishAsync(`${prefix}/sessions/flowbot/rpc`, JSON.stringify({ type: "call", body: { tool: "admit", args: { pattern: "#" } } }));
      const refused = await published(
        (s) => s.link.state === "serving" && Object.values(s.link.refused).reduce((a, b) => a + b, 0) === 1,
        "one refused frame",
      );
      assert.ok(!refused.lists.admitted.some((e) => e.pattern === "#"), "the forged call changed nothing");
      const [listed] = await sessions();
      assert.equal(listed!.link.state === "serving" && listed!.link.bridges.length, 1);
    } finally {
      await forger.endAsync();
      await bridge.stop();
    }
  });

  test("lists an unusable session node with its problem", async () => {
    await helper.load(claudeNodes, gateFlow("http://nowhere", prefix));
    const [listed] = await sessions();
    assert.equal(listed!.connection.state, "invalid");
    assert.match(listed!.problems.join(" "), /broker/);
  });
});

describe("the sidebar's comms updates", () => {
  test("a gated message is published as an update of its session, with the new counts", async () => {
    await load({ session: { admitted: ["home/door"] } });
    await published((s) => s.connection.state === "connected", "the session connected");
    gate("home/door", "open");
    const update = await published((s) => s.counts.admitted === 1, "one admitted");
    assert.equal(update.recent[0]?.preview, "open");
    assert.ok(updates.every((u) => u.topic === `claude-channel/session/${u.data.id}`));
  });

  test("a burst of changes becomes one update carrying the final counts", async () => {
    const session = await load({ session: { admitted: ["home/#"] } });
    await published((s) => s.connection.state === "connected", "the session connected");
    const before = updates.length;
    for (let i = 0; i < 50; i++) session.ingest(`home/burst/${i}`, parseInbound(`burst ${i}`, 1024), { via: "flow" });
    await published((s) => s.counts.admitted === 50, "all 50 admitted");
    const during = updates.slice(before).filter((u) => "snapshot" in u.data && u.data.snapshot.counts.admitted > 0);
    assert.deepEqual(
      during.map((u) => "snapshot" in u.data && u.data.snapshot.counts.admitted),
      [50],
    );
  });

  test("a session node removed by a deploy is withdrawn from the sidebar; a redeployed one is published afresh", async () => {
    const flow = gateFlow(broker.url, prefix);
    await helper.load(claudeNodes, flow);
    await connected("s1");
    await deploy(flow.map((n) => (n.id === "s1" ? { ...n, heartbeat: 61 } : n)));
    await connected("s1");
    const redeployed = updates.length;
    await published((s) => s.connection.state === "connected", "the redeployed session connected");
    assert.ok(!updates.some((u) => "removed" in u.data), "a redeploy does not withdraw the session");

    await deploy(flow.filter((n) => !["s1", "g1", "p1"].includes(n.id)));
    await waitFor(() => updates.slice(redeployed).find((u) => "removed" in u.data && u.data.id === "s1"), "the removal");
    assert.deepEqual(await sessions(), []);
  });
});
