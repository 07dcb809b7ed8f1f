import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { SeenTopics } from "../../session/seen-topics.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const none = (): boolean => false;

test("topics are listed most recent first, with counts, tier, sender and the last payload's preview", () => {
  const seen = new SeenTopics();
  seen.record("a", "watched", "1", undefined, T0);
  seen.record("b", "admitted", "x".repeat(200), "bob", T0 + 1);
  seen.record("a", "watched", "2", "eve", T0 + 2);
  const list = seen.list(10, undefined, none);
  assert.deepEqual(list.map((t) => [t.topic, t.count, t.tier, t.sender]), [["a", 2, "watched", "eve"], ["b", 1, "admitted", "bob"]]);
  assert.equal(list[0]!.preview, "2");
  assert.equal(list[1]!.preview.length, 80);
  assert.ok(list[1]!.preview.endsWith("…"));
});

test("topics heard in the same millisecond are listed most recently heard first", () => {
  const seen = new SeenTopics();
  for (const topic of ["a", "b", "c", "a"]) seen.record(topic, "watched", "v", undefined, T0);
  assert.deepEqual(seen.list(10, undefined, none).map((t) => t.topic), ["a", "c", "b"]);
});

test("limit, filter and hidden narrow the list", () => {
  const seen = new SeenTopics();
  for (const [i, topic] of ["home/a", "home/b", "work/c", "home/d"].entries()) seen.record(topic, "watched", "v", undefined, T0 + i);
  assert.deepEqual(seen.list(2, undefined, none).map((t) => t.topic), ["home/d", "work/c"]);
  assert.deepEqual(seen.list(10, "home/#", (topic) => topic === "home/b").map((t) => t.topic), ["home/d", "home/a"]);
});

test("past the bound a topic not heard from for long goes, and a busy one stays", () => {
  const seen = new SeenTopics(10);
  for (let i = 0; i < 100; i++) {
    seen.record("busy", "admitted", String(i), undefined, T0 + 2 * i);
    seen.record(`once/${i}`, "watched", "v", undefined, T0 + 2 * i + 1);
  }
  assert.equal(seen.size, 10);
  const busy = seen.list(10, "busy", none)[0];
  assert.equal(busy?.count, 100);
  assert.equal(busy?.preview, "99");
  assert.ok(seen.list(10, "once/99", none).length === 1, "the newest stays");
  assert.equal(seen.list(10, "once/0", none).length, 0, "the oldest went");
});

test("the last payloads of a thousand topics are not kept alive whole: a long one is kept as its preview", () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const seen = new SeenTopics(1000);
  gc();
  const before = process.memoryUsage().heapUsed;
  // 1,000 distinct payloads of 100,000 characters each, 100 MB if each were kept (built as
  // Buffers: padEnd or repeat would share one filler between them).
  for (let i = 0; i < 1000; i++) {
    const content = Buffer.alloc(100_000, "x").fill(`${i} `, 0, String(i).length + 1).toString("latin1");
    seen.record(`t/${i}`, "watched", content, undefined, T0 + i);
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 10_000_000, `heap grew by ${grown} bytes`);
  const [last] = seen.list(1, undefined, none);
  assert.equal(last!.preview, `999 ${"x".repeat(75)}…`);
});
