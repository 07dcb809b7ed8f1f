import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { EvictionReporter } from "../../session/eviction-report.js";
import type { LimitHit } from "../../session/types.js";
import { Session } from "../../session/session.js";
import { parseInbound } from "../../core/envelope.js";
import { sessionOptions } from "../helpers/session.js";

function reporter(intervalMs = 1000): { reporter: EvictionReporter; hits: LimitHit[]; clock: { now: number } } {
  const hits: LimitHit[] = [];
  const clock = { now: 0 };
  return { reporter: new EvictionReporter((hit) => hits.push(hit), intervalMs, () => clock.now), hits, clock };
}

describe("eviction reports", () => {
  test("the first eviction is reported at once, the next ones within the interval in one summed report", (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { reporter: r, hits, clock } = reporter();
    r.add({ perTopic: 1, age: 0, bytes: 0 });
    assert.equal(hits.length, 1);
    assert.match(hits[0]!.message, /evicted 1 message\(s\) \(per-topic cap 1, age 0, byte bound 0\)/);
    for (let i = 0; i < 500; i++) r.add({ perTopic: 0, age: 0, bytes: 2 });
    r.add({ perTopic: 0, age: 3, bytes: 0 });
    assert.equal(hits.length, 1, "no report per eviction");
    clock.now = 1000;
    t.mock.timers.tick(1000);
    assert.equal(hits.length, 2);
    assert.deepEqual(hits[1]!.counts, { perTopic: 0, age: 3, bytes: 1000 });
    assert.equal(hits[1]!.limit, "buffer");
  });

  test("after a quiet interval the next eviction is reported at once again", (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { reporter: r, hits, clock } = reporter();
    r.add({ perTopic: 1, age: 0, bytes: 0 });
    clock.now = 5000;
    r.add({ perTopic: 0, age: 1, bytes: 0 });
    assert.equal(hits.length, 2);
  });

  test("flush tells what is pending and nothing when nothing is", (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { reporter: r, hits } = reporter();
    r.flush();
    assert.equal(hits.length, 0);
    r.add({ perTopic: 1, age: 0, bytes: 0 });
    r.add({ perTopic: 1, age: 0, bytes: 0 });
    r.flush();
    assert.equal(hits.length, 2);
    assert.deepEqual(hits[1]!.counts, { perTopic: 1, age: 0, bytes: 0 });
    t.mock.timers.tick(5000);
    assert.equal(hits.length, 2, "the flushed report is not sent again");
  });

  test("no eviction, no report", () => {
    const { reporter: r, hits } = reporter();
    r.add({ perTopic: 0, age: 0, bytes: 0 });
    assert.equal(hits.length, 0);
  });
});

describe("a session's evictions", () => {
  test("a burst of evictions is one limit event, while status counts each of them", async () => {
    const session = new Session(sessionOptions("mqtt://127.0.0.1:1", { pinned: { watched: ["w/#"] } }));
    session.config({ bufferMaxPerTopic: 1 });
    const hits: LimitHit[] = [];
    session.on("limit", (hit) => hits.push(hit));
    for (let i = 0; i < 100; i++) session.ingest("w/a", parseInbound(Buffer.from(`m${i}`), 1024), { via: "mqtt" });
    assert.equal(hits.length, 1);
    assert.equal(session.status().evicted.perTopic, 99);
    await session.stop();
    assert.equal(hits.length, 2, "stopping tells the evictions not reported yet");
    assert.equal(hits[1]!.counts?.perTopic, 98);
  });
});
