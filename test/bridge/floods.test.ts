/**
 * Admitted floods, topic discovery and delivery diagnostics, through a real MCP client and
 * the built bridge, in both modes: the bridge hosting the session, and a flow-hosted session
 * (the same Session and LinkHost the claude-session node runs) reached over the flow link.
 */
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nextEvent, sessionOptions, uniquePrefix } from "../helpers/session.js";
import { linkedSession } from "../../session/link/hosted.js";
import type { PacingLimits } from "../../session/pacing.js";
import type { ChannelNotification } from "../../session/notification.js";
import { eventually, type BridgeClient } from "./harness.js";
import { bridgeSuite } from "./suite.js";

const KEY = "a-link-key-of-at-least-thirty-two-characters";
const suite = bridgeSuite();
// Flow-mode sessions and their link hosts, stopped after each test (its bridges are closed first).
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

interface Setup {
  b: BridgeClient;
  /** The session's inbox topic. */
  inbox: string;
  /** Where Claude's choices persist (bridge mode only). */
  sessionFile?: string;
}

type Mode = "bridge" | "flow";

/** A bridge in the given mode; `owner` are the owner's pacing bounds (env in bridge mode, node options in flow mode). */
async function setup(mode: Mode, owner?: PacingLimits): Promise<Setup> {
  const prefix = uniquePrefix();
  if (mode === "bridge") {
    const env: Record<string, string> = { SESSION_HOST: "bridge" };
    if (owner) {
      env.MQTT_COALESCE_INTERVAL = String(owner.intervalSeconds);
      env.MQTT_NOTIFY_MAX_PER_MINUTE = String(owner.perMinute);
    }
    const b = await suite.bridge({ prefix, name: "home", env });
    return { b, inbox: b.inbox, sessionFile: join(b.stateDir, "sessions", "home.json") };
  }
  const { session, link: host, attached } = linkedSession(
    sessionOptions(suite.broker.url, { name: "home", prefix, host: "flow", ...(owner ? { pacing: owner } : {}) }),
    { key: KEY },
  );
  await attached;
  const connected = nextEvent(session, "state", (s) => s === "connected");
  session.start();
  await connected;
  cleanups.push(() => session.stop());
  const b = await suite.bridge({ prefix, name: "home", env: { SESSION_LINK_KEY: KEY, SESSION_HOST: "flow" }, waitConnected: false });
  await eventually(async () => !(await b.call("status")).isError, "the flow to answer");
  await eventually(() => host.stats().bridges.length === 1, "the bridge to attach to the flow");
  return { b, inbox: session.topics.inbox };
}

const updatesOf = (n: ChannelNotification): number => Number(n.meta.updates ?? "1");
const on = (b: BridgeClient, topic: string): ChannelNotification[] => b.notifications.filter((n) => n.meta.topic === topic);

for (const mode of ["bridge", "flow"] as const) {
  describe(`admitted floods (${mode} mode)`, () => {
    test("a 1,000-update burst on one admitted topic reaches Claude as at most 20 notifications whose counts add up to 1,000", async () => {
      const { b } = await setup(mode);
      await b.ok("admit", { pattern: "flood/#" });
      const sent = Array.from({ length: 1000 }, (_, i) => `${(20 + i / 100).toFixed(2)} °C`);
      await Promise.all(sent.map((text) => suite.peer.publish("flood/temp", text)));
      await eventually(() => on(b, "flood/temp").reduce((sum, n) => sum + updatesOf(n), 0) >= 1000, "the updates to be accounted for", 60_000);
      const notes = on(b, "flood/temp");
      assert.ok(notes.length <= 20, `${notes.length} notifications`);
      assert.equal(notes.reduce((sum, n) => sum + updatesOf(n), 0), 1000);
      assert.equal(notes.at(-1)?.content, sent.at(-1), "the last notification carries the latest value");
      const coalesced = notes.find((n) => n.meta.updates !== undefined);
      assert.ok(coalesced?.meta.first_ts, "a coalesced notification says when its first update came");
      // What was not pushed waits in the buffer (up to its per-topic bound, evictions counted).
      const status = await b.status();
      assert.equal(status.coalescing.coalesced, 1000 - notes.length);
      assert.equal(status.buffer["flood/temp"]! + status.evicted.perTopic, 1000 - notes.length);
      assert.match(await b.ok("inbox", { topic: "flood/temp", limit: 1 }), /message\(s\) on flood\/temp/);
    });

    test("requests (with reply_to) are never coalesced", async () => {
      const { b } = await setup(mode);
      await b.ok("admit", { pattern: "asks/#" });
      for (let i = 0; i < 5; i++) {
        await suite.peer.publish("asks/x", JSON.stringify({ sender: "bob", ts: "", content: `q${i}`, correlation_id: `c${i}`, reply_to: "bob/replies" }));
      }
      await eventually(() => on(b, "asks/x").length === 5, "five request notifications");
      assert.deepEqual(on(b, "asks/x").map((n) => n.content), ["q0", "q1", "q2", "q3", "q4"]);
    });

    test("messages on the session's own inbox, written to Claude, are never coalesced", async () => {
      const { b, inbox } = await setup(mode);
      for (let i = 0; i < 5; i++) await suite.peer.publish(inbox, JSON.stringify({ sender: "bob", ts: "", content: `m${i}` }));
      await eventually(() => on(b, inbox).length === 5, "five inbox notifications");
      assert.deepEqual(on(b, inbox).map((n) => n.content), ["m0", "m1", "m2", "m3", "m4"]);
      assert.ok(on(b, inbox).every((n) => n.meta.updates === undefined));
    });

    test("beyond the per-minute cap messages are held for inbox, and a digest says how many", async () => {
      const { b } = await setup(mode, { intervalSeconds: 0, perMinute: 2 });
      await b.ok("admit", { pattern: "cap/#" });
      for (let i = 0; i < 6; i++) await suite.peer.publish(`cap/${i}`, `v${i}`);
      await eventually(async () => (await b.status()).coalescing.heldOverCap === 4, "four held over the cap");
      assert.equal(b.notifications.filter((n) => n.meta.topic?.startsWith("cap/")).length, 2);
      assert.match(await b.ok("inbox", { topic: "cap/#" }), /^4 message\(s\) on cap\/#/);
      // A new cap applies at once, and what the old one held is summed up right away.
      await b.ok("config", { notifyPerMinute: 1 });
      const digest = await b.nextNotification((n) => n.meta.held !== undefined);
      assert.equal(digest.meta.held, "4");
      assert.match(digest.content, /4 more admitted message\(s\) held.*cap\/2 \(1\).*Read them with inbox/);
    });

    test("Claude chooses the pacing within the owner's bounds", async () => {
      const { b, sessionFile } = await setup(mode, { intervalSeconds: 5, perMinute: 30 });
      const below = await b.call("config", { coalesceInterval: 1 });
      assert.equal(below.isError, true);
      assert.match(below.text, /below the owner's minimum of 5 s/);
      const above = await b.call("config", { notifyPerMinute: 100 });
      assert.equal(above.isError, true);
      assert.match(above.text, /above the owner's maximum of 30/);
      const config = JSON.parse(await b.ok("config", { coalesceInterval: 30, notifyPerMinute: 10 })) as Record<string, unknown>;
      assert.deepEqual(config.coalescing, { intervalSeconds: 30, perMinute: 10, owner: { minIntervalSeconds: 5, maxPerMinute: 30 } });
      const status = await b.status();
      assert.equal(status.coalescing.intervalSeconds, 30);
      assert.equal(status.coalescing.perMinute, 10);
      if (sessionFile) {
        const file = JSON.parse(readFileSync(sessionFile, "utf8")) as Record<string, unknown>;
        assert.equal(file.coalesceInterval, 30);
        assert.equal(file.notifyPerMinute, 10);
      }
    });

    test("topics lists what was seen, most recent first, with counts, tier and preview, never muted ones", async () => {
      const { b } = await setup(mode);
      await b.ok("watch", { pattern: "seen/#" });
      await b.ok("admit", { pattern: "seen/door" });
      await suite.peer.publish("seen/temp", "21.5");
      await suite.peer.publish("seen/temp", "21.7");
      await suite.peer.publish("seen/door", "open");
      await suite.peer.publish("seen/noise", "x".repeat(500));
      await eventually(async () => /seen\/noise/.test(await b.ok("topics")), "the last topic to be seen");
      const lines = (await b.ok("topics", { pattern: "seen/#" })).split("\n").slice(1);
      assert.deepEqual(lines.map((l) => l.split(" ")[0]), ["seen/noise", "seen/door", "seen/temp"]);
      assert.match(lines[2]!, /^seen\/temp \[watched\] 2 message\(s\), last \S+ from unknown: 21\.7$/);
      assert.match(lines[1]!, /^seen\/door \[admitted\] 1 message\(s\)/);
      assert.ok(lines[0]!.length < 200, "a long payload is cut to a preview");
      await b.ok("mute", { pattern: "seen/noise" });
      assert.doesNotMatch(await b.ok("topics"), /seen\/noise/);
      const bad = await b.call("topics", { pattern: "a/#/b" });
      assert.equal(bad.isError, true);
      assert.equal((await b.call("topics", { limit: 0 })).isError, true);
    });

    test("ping goes through broker, session and notification, and says it came back; status tells the last delivery", async () => {
      const { b } = await setup(mode);
      const answer = JSON.parse(await b.ok("ping")) as { cameBack: boolean; delivered: boolean; id: string; roundTripMs: number };
      assert.equal(answer.cameBack, true);
      assert.equal(answer.delivered, true);
      assert.equal(typeof answer.roundTripMs, "number");
      const probe = await b.nextNotification((n) => n.meta.ping === answer.id);
      assert.match(probe.content, /ping/);
      const status = await b.status();
      assert.ok(status.notifications.lastSentAt, "status says when the last notification was delivered");
      assert.equal(status.notifications.failed, 0);
      for (const key of ["notified", "coalesced", "heldOverCap", "digests", "waiting"] as const) assert.equal(typeof status.coalescing[key], "number", key);
    });

    test("ping says it did not come back when the inbox is muted", async () => {
      const { b, inbox } = await setup(mode);
      await b.ok("mute", { pattern: inbox });
      const answer = JSON.parse(await b.ok("ping", { timeout: 1 })) as { cameBack: boolean; delivered: boolean; reason: string };
      assert.equal(answer.cameBack, false);
      assert.equal(answer.delivered, false);
      assert.match(answer.reason, /did not come back/);
    });
  });
}
