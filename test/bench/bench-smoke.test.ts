/**
 * The benchmarks' own pieces, checked for shape and faithfulness (never for speed):
 * the baseline matcher behaves as the reference's tests say, the gate workload is
 * classified alike by both gates, and results print and serialise as documented.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Gate } from "../../core/gate.js";
import { ReferenceGate, referenceMatches } from "../../bench/baseline/loop-matcher.js";
import { gateWorkload } from "../../bench/gate/workload.js";
import { LatencyRun } from "../../bench/e2e/probe-run.js";
import type { BenchResult } from "../../bench/lib/result.js";
import { percentile } from "../../bench/lib/stats.js";
import { formatTable } from "../../bench/lib/table.js";

describe("the baseline matcher is the reference's (claude-code-mqtt §18.1)", () => {
  const cases: Array<[pattern: string, sender: string, topic: string, expected: boolean]> = [
    ["alice", "alice", "some/topic", true],
    ["claude/sessions/a/inbox", "bob", "claude/sessions/a/inbox", true],
    ["bob", "alice", "some/topic", false],
    ["#", "x", "any/topic/here", true],
    ["home/#", "x", "home/sensor/temp", true],
    ["home/#", "x", "home/sensor/temp/celsius", true],
    ["home/#", "x", "home/sensor", true],
    ["home/#", "x", "other/sensor/temp", false],
    ["a/b/#", "x", "a/b/c/d", true],
    ["a/+/c", "x", "a/b/c", true],
    ["a/+/c", "x", "a/xyz/c", true],
    ["a/+/c", "x", "a/b/d", false],
    ["a/+/c", "x", "a/b/c/d", false],
    ["+/b/c", "x", "x/b/c", true],
    ["a/+", "x", "a/b", true],
    ["a/+", "x", "a/b/c", false],
    ["+/+/c", "x", "x/y/c", true],
    ["a/+/#", "x", "a/b/c/d", true],
    ["a/+/#", "x", "a/b/c", true],
    ["+/sensor/#", "x", "home/sensor/temp/celsius", true],
    ["a/b/c", "x", "a/b", false],
    ["a/b", "x", "a/b/c", false],
    ["alice", "", "a/b", false],
    ["hello", "x", "hello", true],
    ["+", "x", "hello", true],
    ["+", "x", "a/b", false],
    // Derived from the implementation (§18.1, last paragraph), defects included.
    ["home/#", "x", "home", true],
    ["a/+/c", "x", "a//c", true],
    ["home#", "x", "home/x", false],
    ["a/#/c", "x", "a/zzz/q", true],
    ["#", "x", "$SYS/x", true],
    ["+/broker/load", "x", "$SYS/broker/load", true],
  ];
  for (const [pattern, sender, topic, expected] of cases) {
    test(`${pattern} vs sender ${JSON.stringify(sender)}, topic ${topic} → ${expected}`, () => {
      assert.equal(referenceMatches(pattern, sender, topic), expected);
    });
  }
});

describe("gate workload", () => {
  test("is the same for the same size, and both gates classify every message of it alike", () => {
    const a = gateWorkload(300, 2000);
    const b = gateWorkload(300, 2000);
    assert.deepEqual(a, b);
    const total = a.lists.admitted.length + a.lists.watched.length + a.lists.muted.length;
    assert.equal(total, 300);
    const gate = new Gate(a.lists, a.ownName);
    const reference = new ReferenceGate(a.lists, a.ownName);
    const tiers = new Set<string>();
    for (const m of a.messages) {
      const ours = gate.classify(m.topic, m.sender).tier;
      tiers.add(ours);
      assert.equal(ours, reference.classify(m.topic, m.sender), `${m.topic} from ${m.sender ?? "no sender"}`);
    }
    assert.deepEqual([...tiers].sort(), ["admitted", "dropped", "watched"]);
  });
});

describe("results", () => {
  test("a latency run times each receiver per message and counts what never came", () => {
    const run = new LatencyRun(3, ["a"]);
    assert.equal(LatencyRun.seqOf(LatencyRun.content(2)), 2);
    assert.equal(LatencyRun.seqOf("something else"), undefined);
    run.seen("a", 0);
    run.seen("a", 2);
    run.seen("a", 7);
    const stats = run.stats("a");
    assert.equal(stats.received, 0, "nothing was published, so nothing has a latency");
    assert.equal(stats.missing, 3);
  });

  test("percentiles by nearest rank", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(samples, 50), 50);
    assert.equal(percentile(samples, 99), 99);
    assert.equal(percentile([5], 99), 5);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  test("the table shows every result with its verdict, and results serialise with the documented fields", () => {
    const results: BenchResult[] = [
      { name: "gate classify 10k patterns", value: 1_500_000, unit: "msg/s", baseline: 500, ratio: 3000, target: "ratio ≥ 20", met: true },
      { name: "startup", value: 250.5, unit: "ms", baseline: 150.2, ratio: 1.67, target: "report only", met: null },
      { name: "e2e", value: 3.2, unit: "ms", baseline: 1.1, ratio: 2.91, target: "ratio ≤ 1.2", met: false },
    ];
    const table = formatTable(results);
    assert.match(table, /gate classify 10k patterns\s+1,500,000 msg\/s/);
    assert.match(table, /met/);
    assert.match(table, /MISSED/);
    assert.equal(table.split("\n").length, 5);
    const parsed = JSON.parse(JSON.stringify(results)) as Array<Record<string, unknown>>;
    for (const r of parsed) assert.deepEqual(Object.keys(r), ["name", "value", "unit", "baseline", "ratio", "target", "met"]);
  });
});
