import { test } from "node:test";
import assert from "node:assert/strict";
import { NotificationPacer, type PacingAction, type PacingLimits } from "../../core/coalesce.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");

interface Item {
  topic: string;
  value: string;
}

function pacer(limits: PacingLimits, maxTopics?: number): NotificationPacer<Item> {
  return new NotificationPacer<Item>(limits, (a, b) => a.value === b.value, maxTopics);
}

/** Offers every item at its time, running `due` whenever the pacer asks, and collects every action. */
function drive(p: NotificationPacer<Item>, offers: Array<{ at: number; item: Item; urgent?: boolean }>, until: number): Array<PacingAction<Item>> {
  const actions: Array<PacingAction<Item>> = [];
  for (const { at, item, urgent } of offers) {
    for (let next = p.nextDue(); next !== undefined && next <= at; next = p.nextDue()) actions.push(...p.due(next));
    actions.push(...p.offer(item.topic, item, at, urgent));
  }
  for (let next = p.nextDue(); next !== undefined && next <= until; next = p.nextDue()) actions.push(...p.due(next));
  return actions;
}

const sends = (actions: Array<PacingAction<Item>>) => actions.filter((a) => a.kind === "send");
const holds = (actions: Array<PacingAction<Item>>) => actions.filter((a) => a.kind === "hold");

test("a 1,000-update burst in 10 s on one topic becomes at most 20 notifications whose counts add up to 1,000", () => {
  const p = pacer({ intervalSeconds: 5, perMinute: 30 });
  const offers = Array.from({ length: 1000 }, (_, i) => ({ at: T0 + i * 10, item: { topic: "home/temp", value: `${20 + i / 1000}` } }));
  const actions = drive(p, offers, T0 + 60_000);
  const sent = sends(actions);
  assert.ok(sent.length <= 20, `${sent.length} notifications`);
  assert.ok(sent.length >= 2);
  assert.equal(sent.reduce((sum, a) => sum + (a.kind === "send" ? a.updates : 0), 0), 1000);
  assert.equal(sent.length + holds(actions).length, 1000, "every message comes back exactly once");
  const last = sent.at(-1);
  assert.equal(last?.kind === "send" && last.item.value, offers.at(-1)!.item.value, "the last notification carries the latest value");
});

test("the first message on a quiet topic goes out at once; the window's latest goes out when it ends", () => {
  const p = pacer({ intervalSeconds: 10, perMinute: 0 });
  assert.deepEqual(p.offer("t", { topic: "t", value: "1" }, T0), [{ kind: "send", item: { topic: "t", value: "1" }, updates: 1, firstAt: T0 }]);
  assert.deepEqual(sends(p.offer("t", { topic: "t", value: "2" }, T0 + 1000)), []);
  const superseded = p.offer("t", { topic: "t", value: "3" }, T0 + 2000);
  assert.deepEqual(superseded, [{ kind: "hold", item: { topic: "t", value: "2" }, reason: "coalesced" }]);
  assert.equal(p.nextDue(), T0 + 10_000);
  assert.deepEqual(p.due(T0 + 9_999), []);
  assert.deepEqual(p.due(T0 + 10_000), [{ kind: "send", item: { topic: "t", value: "3" }, updates: 2, firstAt: T0 + 1000 }]);
  assert.equal(p.nextDue(), undefined);
});

test("topics are paced each on their own", () => {
  const p = pacer({ intervalSeconds: 10, perMinute: 0 });
  assert.equal(sends(p.offer("a", { topic: "a", value: "1" }, T0)).length, 1);
  assert.equal(sends(p.offer("b", { topic: "b", value: "1" }, T0 + 1)).length, 1);
  assert.equal(sends(p.offer("a", { topic: "a", value: "2" }, T0 + 2)).length, 0);
});

test("identical consecutive values are held and their count carried into the next notification", () => {
  const p = pacer({ intervalSeconds: 10, perMinute: 0 });
  const offers = [0, 3_000, 12_000, 30_000, 45_000].map((s) => ({ at: T0 + s, item: { topic: "t", value: "21.7" } }));
  offers.push({ at: T0 + 70_000, item: { topic: "t", value: "21.8" } });
  const actions = drive(p, offers, T0 + 200_000);
  const sent = sends(actions);
  assert.deepEqual(
    sent.map((a) => (a.kind === "send" ? [a.item.value, a.updates] : [])),
    [["21.7", 1], ["21.8", 5]],
  );
  assert.equal(holds(actions).length, 4);
});

test("beyond the per-minute cap, messages are held and one digest says how many, per topic", () => {
  const p = pacer({ intervalSeconds: 0, perMinute: 3 });
  const offers = Array.from({ length: 10 }, (_, i) => ({ at: T0 + i * 1000, item: { topic: i % 2 ? "odd" : "even", value: `${i}` } }));
  const actions = drive(p, offers, T0 + 61_000);
  assert.equal(sends(actions).length, 3);
  const capped = holds(actions).filter((a) => a.kind === "hold" && a.reason === "capped");
  assert.equal(capped.length, 7);
  const digests = actions.filter((a) => a.kind === "digest");
  assert.deepEqual(digests, [{ kind: "digest", held: 7, topics: [{ topic: "odd", count: 4 }, { topic: "even", count: 3 }], perMinute: 3 }]);
});

test("a capped window's messages count in the digest, not in the topic's next notification", () => {
  const p = pacer({ intervalSeconds: 1, perMinute: 1 });
  const offers = [
    { at: T0, item: { topic: "a", value: "1" } },
    { at: T0 + 100, item: { topic: "b", value: "1" } },
    { at: T0 + 200, item: { topic: "b", value: "2" } },
    { at: T0 + 300, item: { topic: "b", value: "3" } },
  ];
  const actions = drive(p, offers, T0 + 60_000);
  const digest = actions.find((a) => a.kind === "digest");
  assert.equal(digest?.kind === "digest" && digest.held, 3);
  const sent = sends(actions);
  const b = drive(p, [{ at: T0 + 130_000, item: { topic: "b", value: "4" } }], T0 + 130_000);
  assert.deepEqual(sent.length, 1);
  assert.deepEqual(sends(b).map((a) => a.kind === "send" && a.updates), [1]);
});

test("urgent messages are never coalesced or held, even over the cap", () => {
  const p = pacer({ intervalSeconds: 10, perMinute: 1 });
  const offers = [0, 1, 2, 3].map((i) => ({ at: T0 + i, item: { topic: "inbox", value: `request ${i}` }, urgent: true }));
  const actions = drive(p, offers, T0 + 10);
  assert.equal(sends(actions).length, 4);
  assert.equal(holds(actions).length, 0);
});

test("interval 0 sends every message (coalescing off)", () => {
  const p = pacer({ intervalSeconds: 0, perMinute: 0 });
  const actions = drive(p, [0, 1, 2].map((i) => ({ at: T0 + i, item: { topic: "t", value: "same" } })), T0 + 10);
  assert.equal(sends(actions).length, 3);
});

test("flush sends what waits and the digest at once", () => {
  const p = pacer({ intervalSeconds: 10, perMinute: 2 });
  p.offer("a", { topic: "a", value: "1" }, T0);
  p.offer("b", { topic: "b", value: "1" }, T0);
  p.offer("c", { topic: "c", value: "1" }, T0);
  p.offer("a", { topic: "a", value: "2" }, T0 + 1);
  const actions = p.flush(T0 + 2);
  assert.deepEqual(actions.map((a) => a.kind), ["hold", "digest"]);
  assert.equal(p.nextDue(), undefined);
  assert.equal(p.pending, 0);
});

test("new limits apply to what waits", () => {
  const p = pacer({ intervalSeconds: 10, perMinute: 0 });
  p.offer("a", { topic: "a", value: "1" }, T0);
  p.offer("a", { topic: "a", value: "2" }, T0 + 1);
  const actions = p.setLimits({ intervalSeconds: 0, perMinute: 0 }, T0 + 2);
  assert.deepEqual(sends(actions).map((a) => a.kind === "send" && a.item.value), ["2"]);
  assert.deepEqual(p.current, { intervalSeconds: 0, perMinute: 0 });
});

test("beyond maxTopics the least recently active topic is forgotten, sending what it had waiting", () => {
  const p = pacer({ intervalSeconds: 10, perMinute: 0 }, 2);
  p.offer("a", { topic: "a", value: "1" }, T0);
  p.offer("a", { topic: "a", value: "2" }, T0 + 1);
  p.offer("b", { topic: "b", value: "1" }, T0 + 2);
  const actions = p.offer("c", { topic: "c", value: "1" }, T0 + 3);
  assert.deepEqual(sends(actions).map((a) => a.kind === "send" && `${a.item.topic}=${a.item.value}`), ["a=2", "c=1"]);
  // "a" was forgotten: its next message is news at once, even with the same value.
  assert.equal(sends(p.offer("a", { topic: "a", value: "2" }, T0 + 4)).length, 1);
});

test("a late due changes only the timing: nothing is lost", () => {
  const p = pacer({ intervalSeconds: 1, perMinute: 0 });
  let total = 0;
  let seen = 0;
  for (let i = 0; i < 500; i++) {
    for (const a of p.offer("t", { topic: "t", value: `${i}` }, T0 + i * 7)) {
      seen++;
      if (a.kind === "send") total += a.updates;
    }
  }
  for (const a of p.due(T0 + 100_000)) {
    seen++;
    if (a.kind === "send") total += a.updates;
  }
  assert.equal(seen, 500);
  assert.equal(total, 500);
});
