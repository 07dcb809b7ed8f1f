import { test } from "node:test";
import assert from "node:assert/strict";
import { ENTRY_OVERHEAD_BYTES, WatchedBuffer, entryBytes, type BufferEntry, type BufferLimits } from "../../core/buffer.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const roomy: BufferLimits = { maxAgeSeconds: 3600, maxPerTopic: 100, maxBytes: 10_000_000 };

function entry(topic: string, content: string, receivedAt = T0, sender?: string): BufferEntry {
  return sender === undefined ? { topic, content, receivedAt } : { topic, content, receivedAt, sender };
}

function contents(entries: BufferEntry[]): string[] {
  return entries.map((e) => `${e.topic}:${e.content}`);
}

test("read returns topics in first-insert order, oldest first within a topic", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.add(entry("b", "1"), T0);
  buffer.add(entry("a", "2"), T0);
  buffer.add(entry("b", "3"), T0);
  assert.deepEqual(contents(buffer.read(undefined, T0)), ["b:1", "b:3", "a:2"]);
});

test("read keeps every entry field and does not consume", () => {
  const buffer = new WatchedBuffer(roomy);
  const full: BufferEntry = { topic: "t", sender: "s", content: "c", receivedAt: T0, sentAt: "2026-03-01T11:59:59Z", correlation_id: "id", reply_to: "r" };
  buffer.add(full, T0);
  assert.deepEqual(buffer.read("t", T0), [full]);
  assert.deepEqual(buffer.read("t", T0), [full]);
  assert.equal(buffer.size.messages, 1);
});

test("entries are copied in and out", () => {
  const buffer = new WatchedBuffer(roomy);
  const original = entry("t", "before");
  buffer.add(original, T0);
  original.content = "mutated";
  buffer.read("t", T0)[0]!.content = "mutated too";
  assert.equal(buffer.read("t", T0)[0]!.content, "before");
});

test("read by exact topic returns only that topic", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.add(entry("home/a", "1"), T0);
  buffer.add(entry("home/b", "2"), T0);
  assert.deepEqual(contents(buffer.read("home/b", T0)), ["home/b:2"]);
  assert.deepEqual(buffer.read("home", T0), []);
});

test("read by pattern returns every matching topic", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.add(entry("home/kitchen/temp", "1"), T0);
  buffer.add(entry("office/temp", "2"), T0);
  buffer.add(entry("home/hall/temp", "3"), T0);
  buffer.add(entry("home", "4"), T0);
  buffer.add(entry("$SYS/load", "5"), T0);
  assert.deepEqual(contents(buffer.read("home/#", T0)), ["home/kitchen/temp:1", "home/hall/temp:3", "home:4"]);
  assert.deepEqual(contents(buffer.read("+/temp", T0)), ["office/temp:2"]);
  assert.deepEqual(contents(buffer.read("#", T0)), ["home/kitchen/temp:1", "office/temp:2", "home/hall/temp:3", "home:4"]);
  assert.deepEqual(buffer.read("home#", T0), []);
});

test("the per-topic cap drops that topic's oldest messages and counts them", () => {
  const buffer = new WatchedBuffer({ ...roomy, maxPerTopic: 2 });
  assert.deepEqual(buffer.add(entry("t", "1"), T0), { perTopic: 0, age: 0, bytes: 0 });
  buffer.add(entry("other", "x"), T0);
  buffer.add(entry("t", "2"), T0);
  assert.deepEqual(buffer.add(entry("t", "3"), T0), { perTopic: 1, age: 0, bytes: 0 });
  assert.deepEqual(contents(buffer.read(undefined, T0)), ["t:2", "t:3", "other:x"]);
  assert.deepEqual(buffer.evicted, { perTopic: 1, age: 0, bytes: 0 });
});

test("read never returns expired messages and counts them as age evictions", () => {
  const buffer = new WatchedBuffer({ ...roomy, maxAgeSeconds: 60 });
  buffer.add(entry("t", "old", T0), T0);
  buffer.add(entry("t", "new", T0 + 30_000), T0 + 30_000);
  assert.deepEqual(contents(buffer.read("t", T0 + 60_000)), ["t:old", "t:new"]);
  assert.deepEqual(contents(buffer.read("t", T0 + 60_001)), ["t:new"]);
  assert.deepEqual(buffer.evicted, { perTopic: 0, age: 1, bytes: 0 });
  assert.deepEqual(buffer.read("t", T0 + 90_001), []);
  assert.deepEqual(buffer.size, { messages: 0, topics: 0, bytes: 0 });
});

test("prune expires old messages across topics and reports them", () => {
  const buffer = new WatchedBuffer({ ...roomy, maxAgeSeconds: 10 });
  buffer.add(entry("a", "1", T0), T0);
  buffer.add(entry("b", "2", T0 + 5_000), T0 + 5_000);
  buffer.add(entry("c", "3", T0 + 12_000), T0 + 12_000);
  assert.equal(buffer.size.messages, 2, "the add at T0+12s already expired a:1");
  assert.deepEqual(buffer.prune(T0 + 16_000), { perTopic: 0, age: 1, bytes: 0 });
  assert.deepEqual(contents(buffer.read(undefined, T0 + 16_000)), ["c:3"]);
  assert.deepEqual(buffer.evicted.age, 2);
});

test("an entry already expired when added is counted and not kept", () => {
  const buffer = new WatchedBuffer({ ...roomy, maxAgeSeconds: 10 });
  assert.deepEqual(buffer.add(entry("t", "stale", T0 - 11_000), T0), { perTopic: 0, age: 1, bytes: 0 });
  assert.equal(buffer.size.messages, 0);
});

test("a message stamped earlier than one already held still expires on read and prune", () => {
  const buffer = new WatchedBuffer({ ...roomy, maxAgeSeconds: 10 });
  buffer.add(entry("a", "fresh", T0 + 5_000), T0 + 5_000);
  buffer.add(entry("b", "stepped back", T0), T0 + 5_000);
  assert.deepEqual(contents(buffer.read("b", T0 + 12_000)), []);
  buffer.add(entry("c", "stepped back", T0), T0 + 5_000);
  assert.deepEqual(buffer.prune(T0 + 12_000), { perTopic: 0, age: 1, bytes: 0 });
  assert.deepEqual(contents(buffer.read(undefined, T0 + 12_000)), ["a:fresh"]);
});

test("the byte bound evicts the globally oldest messages first", () => {
  const size = entryBytes(entry("t1", "xxxx"));
  const buffer = new WatchedBuffer({ ...roomy, maxBytes: size * 3 });
  buffer.add(entry("t1", "aaaa"), T0);
  buffer.add(entry("t2", "bbbb"), T0);
  buffer.add(entry("t1", "cccc"), T0);
  assert.equal(buffer.size.bytes, size * 3);
  assert.deepEqual(buffer.add(entry("t3", "dddd"), T0), { perTopic: 0, age: 0, bytes: 1 });
  assert.deepEqual(contents(buffer.read(undefined, T0)), ["t1:cccc", "t2:bbbb", "t3:dddd"]);
  assert.deepEqual(buffer.add(entry("t3", "e".repeat(4 + size)), T0), { perTopic: 0, age: 0, bytes: 2 });
  assert.deepEqual(contents(buffer.read(undefined, T0)), ["t3:dddd", `t3:${"e".repeat(4 + size)}`]);
  assert.deepEqual(buffer.evicted, { perTopic: 0, age: 0, bytes: 3 });
  assert.ok(buffer.size.bytes <= size * 3);
});

test("an entry bigger than maxBytes on its own is evicted and counted", () => {
  const buffer = new WatchedBuffer({ ...roomy, maxBytes: 100 });
  buffer.add(entry("t", "small"), T0);
  assert.deepEqual(buffer.add(entry("t", "x".repeat(200)), T0), { perTopic: 0, age: 0, bytes: 2 });
  assert.deepEqual(buffer.size, { messages: 0, topics: 0, bytes: 0 });
});

test("entry size counts UTF-8 bytes of every string plus the fixed overhead", () => {
  const full: BufferEntry = { topic: "tö", sender: "s", content: "🚀", receivedAt: T0, sentAt: "ts", correlation_id: "cid", reply_to: "rt" };
  assert.equal(entryBytes(full), ENTRY_OVERHEAD_BYTES + 3 + 1 + 4 + 2 + 3 + 2);
  const buffer = new WatchedBuffer(roomy);
  buffer.add(full, T0);
  assert.equal(buffer.size.bytes, entryBytes(full));
});

test("the byte bound skips messages already removed by the per-topic cap", () => {
  const size = entryBytes(entry("a", "1"));
  const buffer = new WatchedBuffer({ ...roomy, maxPerTopic: 1, maxBytes: size * 2 });
  buffer.add(entry("a", "1"), T0);
  buffer.add(entry("a", "2"), T0);
  buffer.add(entry("b", "3"), T0);
  assert.deepEqual(buffer.add(entry("c", "4"), T0), { perTopic: 0, age: 0, bytes: 1 });
  assert.deepEqual(contents(buffer.read(undefined, T0)), ["b:3", "c:4"]);
});

test("a flood over many topics stays within the byte bound and keeps the newest", () => {
  const size = entryBytes(entry("flood/0000", "payload-0000000"));
  const buffer = new WatchedBuffer({ maxAgeSeconds: 3600, maxPerTopic: 5, maxBytes: size * 1000 });
  const total = 100_000;
  for (let i = 0; i < total; i++) {
    const n = String(i).padStart(7, "0");
    buffer.add(entry(`flood/${String(i % 10_000).padStart(4, "0")}`, `payload-${n}`), T0);
  }
  assert.deepEqual(buffer.size, { messages: 1000, topics: 1000, bytes: size * 1000 });
  const held = buffer.read(undefined, T0).map((e) => e.content);
  assert.equal(held[0], `payload-${String(total - 1000).padStart(7, "0")}`);
  assert.equal(held.at(-1), `payload-${String(total - 1).padStart(7, "0")}`);
  assert.deepEqual(buffer.evicted, { perTopic: 0, age: 0, bytes: total - 1000 });
});

test("setLimits re-trims existing buffers at once", () => {
  const buffer = new WatchedBuffer(roomy);
  for (const n of ["1", "2", "3", "4"]) buffer.add(entry("a", n, T0), T0);
  buffer.add(entry("b", "5", T0 + 50_000), T0 + 50_000);
  assert.deepEqual(buffer.setLimits({ maxPerTopic: 2 }, T0 + 50_000), { perTopic: 2, age: 0, bytes: 0 });
  assert.deepEqual(contents(buffer.read(undefined, T0 + 50_000)), ["a:3", "a:4", "b:5"]);
  assert.deepEqual(buffer.setLimits({ maxAgeSeconds: 30 }, T0 + 50_000), { perTopic: 0, age: 2, bytes: 0 });
  assert.deepEqual(contents(buffer.read(undefined, T0 + 50_000)), ["b:5"]);
  assert.deepEqual(buffer.setLimits({ maxBytes: 1 }, T0 + 50_000), { perTopic: 0, age: 0, bytes: 1 });
  assert.deepEqual(buffer.limits, { maxAgeSeconds: 30, maxPerTopic: 2, maxBytes: 1 });
  assert.deepEqual(buffer.evicted, { perTopic: 2, age: 2, bytes: 1 });
});

test("invalid limits are a RangeError naming the limit, and change nothing", () => {
  assert.throws(() => new WatchedBuffer({ ...roomy, maxAgeSeconds: 0 }), { name: "RangeError", message: /maxAgeSeconds/ });
  assert.throws(() => new WatchedBuffer({ ...roomy, maxPerTopic: Number.NaN }), { name: "RangeError", message: /maxPerTopic/ });
  assert.throws(() => new WatchedBuffer({ ...roomy, maxPerTopic: 1.5 }), { name: "RangeError", message: /maxPerTopic/ });
  assert.throws(() => new WatchedBuffer({ ...roomy, maxBytes: -1 }), { name: "RangeError", message: /maxBytes/ });
  assert.throws(() => new WatchedBuffer({ ...roomy, maxAgeSeconds: Number.POSITIVE_INFINITY }), { name: "RangeError", message: /maxAgeSeconds/ });
  const buffer = new WatchedBuffer(roomy);
  assert.throws(() => buffer.setLimits({ maxBytes: 0 }, T0), { name: "RangeError", message: /maxBytes/ });
  assert.deepEqual(buffer.limits, roomy);
  assert.deepEqual(buffer.setLimits({ maxBytes: undefined }, T0), { perTopic: 0, age: 0, bytes: 0 });
  assert.deepEqual(buffer.limits, roomy);
});

test("an entry without a finite receivedAt is a RangeError", () => {
  const buffer = new WatchedBuffer(roomy);
  assert.throws(() => buffer.add(entry("t", "x", Number.NaN), T0), { name: "RangeError", message: /receivedAt/ });
});

test("clear removes everything and returns how many went", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.add(entry("a", "1"), T0);
  buffer.add(entry("b", "2"), T0);
  buffer.add(entry("b", "3"), T0);
  assert.equal(buffer.clear(), 3);
  assert.deepEqual(buffer.size, { messages: 0, topics: 0, bytes: 0 });
  assert.deepEqual(buffer.evicted, { perTopic: 0, age: 0, bytes: 0 });
  buffer.add(entry("c", "4"), T0);
  assert.deepEqual(contents(buffer.read(undefined, T0)), ["c:4"]);
});

test("clear by topic or pattern removes only what it covers", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.add(entry("home/a", "1"), T0);
  buffer.add(entry("home/b", "2"), T0);
  buffer.add(entry("office/a", "3"), T0);
  buffer.add(entry("home/a", "4"), T0);
  assert.equal(buffer.clear("office/a"), 1);
  assert.equal(buffer.clear("nothing/here"), 0);
  assert.equal(buffer.clear("home/+"), 3);
  assert.deepEqual(buffer.size, { messages: 0, topics: 0, bytes: 0 });
});

test("the byte bound still evicts correctly after a partial clear", () => {
  const size = entryBytes(entry("a", "1"));
  const buffer = new WatchedBuffer({ ...roomy, maxBytes: size * 2 });
  buffer.add(entry("a", "1"), T0);
  buffer.add(entry("b", "2"), T0);
  buffer.clear("a");
  buffer.add(entry("c", "3"), T0);
  assert.deepEqual(buffer.add(entry("d", "4"), T0), { perTopic: 0, age: 0, bytes: 1 });
  assert.deepEqual(contents(buffer.read(undefined, T0)), ["c:3", "d:4"]);
});

test("a topic emptied and refilled moves to the end of the listing", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.add(entry("a", "1"), T0);
  buffer.add(entry("b", "2"), T0);
  buffer.clear("a");
  buffer.add(entry("a", "3"), T0);
  assert.deepEqual(contents(buffer.read(undefined, T0)), ["b:2", "a:3"]);
});

test("removeUnwatched keeps topics another watch still covers", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.add(entry("home/kitchen/temp", "1"), T0);
  buffer.add(entry("home/hall/temp", "2"), T0);
  buffer.add(entry("home/kitchen/temp", "3"), T0);
  buffer.add(entry("office/temp", "4"), T0);
  const asked: string[] = [];
  const removed = buffer.removeUnwatched("home/#", (topic) => {
    asked.push(topic);
    return topic.startsWith("home/kitchen/");
  });
  assert.equal(removed, 1);
  assert.deepEqual(asked, ["home/kitchen/temp", "home/hall/temp"]);
  assert.deepEqual(contents(buffer.read(undefined, T0)), ["home/kitchen/temp:1", "home/kitchen/temp:3", "office/temp:4"]);
  assert.equal(buffer.removeUnwatched("office/temp", () => false), 1);
  assert.equal(buffer.removeUnwatched("home/#", () => false), 2);
  assert.deepEqual(buffer.size, { messages: 0, topics: 0, bytes: 0 });
});

test("summary lists topics with counts and unique senders in first-seen order", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.add(entry("t1", "1", T0, "bob"), T0);
  buffer.add(entry("t2", "2", T0), T0);
  buffer.add(entry("t1", "3", T0, "alice"), T0);
  buffer.add(entry("t1", "4", T0, "bob"), T0);
  buffer.add(entry("t1", "5", T0), T0);
  assert.deepEqual(buffer.summary(T0), {
    topics: [
      { topic: "t1", count: 4, senders: ["bob", "alice", "unknown"] },
      { topic: "t2", count: 1, senders: ["unknown"] },
    ],
  });
});

test("summary lists the busiest topics up to its limit, and counts what the others hold", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.add(entry("quiet", "1", T0, "eve"), T0);
  for (const n of ["1", "2", "3"]) buffer.add(entry("busy", n, T0, "bob"), T0);
  buffer.add(entry("middle", "1", T0), T0);
  buffer.add(entry("middle", "2", T0), T0);
  buffer.add(entry("also-quiet", "1", T0), T0);
  assert.deepEqual(buffer.summary(T0, 2), {
    topics: [
      { topic: "busy", count: 3, senders: ["bob"] },
      { topic: "middle", count: 2, senders: ["unknown"] },
    ],
    unlisted: { topics: 2, messages: 2 },
  });
});

test("counts lists topics with their message counts and leaves out expired ones", () => {
  const buffer = new WatchedBuffer({ ...roomy, maxAgeSeconds: 10 });
  buffer.add(entry("old", "1", T0, "a"), T0);
  buffer.add(entry("t1", "2", T0 + 5_000, "b"), T0 + 5_000);
  buffer.add(entry("t2", "3", T0 + 5_000), T0 + 5_000);
  buffer.add(entry("t1", "4", T0 + 6_000), T0 + 6_000);
  assert.deepEqual(buffer.counts(T0 + 11_000), [
    { topic: "t1", count: 2 },
    { topic: "t2", count: 1 },
  ]);
  assert.equal(buffer.evicted.age, 1);
});

test("counts and summary pick the same busiest topics as a full stable sort would, for any limit", () => {
  // Deterministic pseudo-random counts with many ties: 0..7 messages on each of 300 topics
  // (a 32-bit LCG; its high bits, as the low ones repeat with a short period).
  let seed = 7;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  const buffer = new WatchedBuffer(roomy);
  const added: Array<{ topic: string; count: number }> = [];
  for (let i = 0; i < 300; i++) {
    const count = next() % 8;
    for (let j = 0; j < count; j++) buffer.add(entry(`t/${i}`, `${j}`, T0), T0);
    if (count > 0) added.push({ topic: `t/${i}`, count });
  }
  // The fixture must have ties at every count and an order that sorting changes, or the test proves nothing.
  assert.ok(added.length > 200, `${added.length} topics with messages`);
  assert.equal(new Set(added.map((t) => t.count)).size, 7);
  const fullSort = [...added].sort((a, b) => b.count - a.count);
  assert.notDeepEqual(fullSort.slice(0, 37), added.slice(0, 37));
  for (const limit of [1, 2, 37, 100, added.length - 1, added.length, added.length + 5]) {
    const expected = fullSort.slice(0, limit);
    assert.deepEqual(buffer.counts(T0, limit), expected, `counts, limit ${limit}`);
    const summary = buffer.summary(T0, limit);
    assert.deepEqual(
      summary.topics.map(({ topic, count }) => ({ topic, count })),
      expected,
      `summary, limit ${limit}`,
    );
    const rest = fullSort.slice(limit);
    assert.deepEqual(summary.unlisted, rest.length === 0 ? undefined : { topics: rest.length, messages: rest.reduce((sum, t) => sum + t.count, 0) });
  }
});

test("summary leaves out expired messages and topics", () => {
  const buffer = new WatchedBuffer({ ...roomy, maxAgeSeconds: 10 });
  buffer.add(entry("old", "1", T0, "a"), T0);
  buffer.add(entry("new", "2", T0 + 5_000, "b"), T0 + 5_000);
  assert.deepEqual(buffer.summary(T0 + 11_000), { topics: [{ topic: "new", count: 1, senders: ["b"] }] });
  assert.equal(buffer.evicted.age, 1);
});

test("size tracks messages, topics and bytes", () => {
  const buffer = new WatchedBuffer(roomy);
  assert.deepEqual(buffer.size, { messages: 0, topics: 0, bytes: 0 });
  buffer.add(entry("a", "1"), T0);
  buffer.add(entry("b", "22"), T0);
  assert.deepEqual(buffer.size, { messages: 2, topics: 2, bytes: entryBytes(entry("a", "1")) + entryBytes(entry("b", "22")) });
});

test("limits and evicted are copies the caller cannot change", () => {
  const buffer = new WatchedBuffer(roomy);
  buffer.limits.maxPerTopic = 1;
  buffer.evicted.bytes = 99;
  assert.equal(buffer.limits.maxPerTopic, 100);
  assert.equal(buffer.evicted.bytes, 0);
});

test("contents read back exactly through a flood of evictions, clears and limit changes, lone surrogates too", () => {
  const buffer = new WatchedBuffer({ maxAgeSeconds: 3600, maxPerTopic: 5, maxBytes: 40_000 });
  const contentAt = (i: number): string => (i % 13 === 0 ? `odd \uD800 ${i}` : `${i} °C ${"温".repeat(i % 9)}${"x".repeat(i % 200)}`);
  let t = T0;
  for (let i = 0; i < 30_000; i++) {
    t++;
    buffer.add({ topic: `t/${i % 37}`, content: contentAt(t - T0), receivedAt: t }, t);
    if (i % 1_000 === 999) buffer.clear(`t/${i % 37}`);
    if (i % 4_000 === 3_999) buffer.setLimits({ maxPerTopic: 2 + (i % 7) }, t);
    if (i % 211 === 0) {
      const held = buffer.read(undefined, t);
      assert.equal(held.length, buffer.size.messages);
      for (const e of held) assert.equal(e.content, contentAt(e.receivedAt - T0));
    }
  }
  const bytes = buffer.read(undefined, t).reduce((sum, e) => sum + entryBytes(e), 0);
  assert.equal(bytes, buffer.size.bytes);
});
