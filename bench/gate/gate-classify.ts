/**
 * `gate classify`: how many messages a second the gate sorts into admitted /
 * watched / dropped, with 100, 1,000 and 10,000 patterns in its lists, against the
 * reference's per-pattern loop on the same lists and messages.
 *
 * Both run in this process, alternating in rounds so that neither gets a warmer
 * machine; each round runs for a fixed time and the median round counts. Before
 * timing, both classify every message once and must agree on every tier.
 */
import { Gate } from "../../core/gate.js";
import { ReferenceGate } from "../baseline/loop-matcher.js";
import { ratioOf, type BenchContext, type BenchResult, type Benchmark } from "../lib/result.js";
import { median, round } from "../lib/stats.js";
import { gateWorkload, type GateWorkload } from "./workload.js";

type Classify = (topic: string, sender: string | undefined) => string;

const MESSAGE_COUNT = 20_000;
const MIN_SPEEDUP = 20;
const MIN_RATE = 2_000_000;

/** Keeps results observable, so the optimiser cannot drop the calls. */
let sink = 0;

interface Cursor {
  next: number;
}

/** Classifications per second over roughly `budgetMs`, continuing through the messages from `cursor`. */
function rate(classify: Classify, workload: GateWorkload, budgetMs: number, cursor: Cursor, batch: number): number {
  const messages = workload.messages;
  const budgetNs = BigInt(Math.round(budgetMs * 1e6));
  const start = process.hrtime.bigint();
  let done = 0;
  let i = cursor.next;
  let elapsed = 0n;
  do {
    for (let b = 0; b < batch; b++) {
      const m = messages[i]!;
      sink += classify(m.topic, m.sender).length;
      if (++i === messages.length) i = 0;
    }
    done += batch;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budgetNs);
  cursor.next = i;
  return done / (Number(elapsed) / 1e9);
}

function tierCounts(classify: Classify, workload: GateWorkload): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of workload.messages) {
    const tier = classify(m.topic, m.sender);
    counts[tier] = (counts[tier] ?? 0) + 1;
  }
  return counts;
}

/**
 * Messages on which the two gates differ, over the first `sample` messages (the
 * reference needs milliseconds per message at 10,000 patterns).
 */
function disagreements(ours: Classify, reference: Classify, workload: GateWorkload, sample: number): number {
  let count = 0;
  for (const m of workload.messages.slice(0, sample)) if (ours(m.topic, m.sender) !== reference(m.topic, m.sender)) count++;
  return count;
}

async function measure(patternCount: number, ctx: BenchContext): Promise<BenchResult> {
  const workload = gateWorkload(patternCount, MESSAGE_COUNT);
  const gate = new Gate(workload.lists, workload.ownName);
  const reference = new ReferenceGate(workload.lists, workload.ownName);
  const ours: Classify = (topic, sender) => gate.classify(topic, sender).tier;
  const theirs: Classify = (topic, sender) => reference.classify(topic, sender);

  const checked = Math.min(MESSAGE_COUNT, Math.round(5_000_000 / patternCount));
  const disagree = disagreements(ours, theirs, workload, checked);
  if (disagree > 0) throw new Error(`gate and reference disagree on ${disagree} of ${checked} messages; the comparison would be unfair`);

  const rounds = ctx.quick ? 5 : 9;
  const budgetMs = ctx.quick ? 200 : 600;
  const oursCursor = { next: 0 };
  const theirCursor = { next: 0 };
  // Warm-up: let the JIT settle both before the first timed round.
  rate(ours, workload, budgetMs, oursCursor, 1024);
  rate(theirs, workload, budgetMs, theirCursor, 4);
  const oursRates: number[] = [];
  const theirRates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    oursRates.push(rate(ours, workload, budgetMs, oursCursor, 1024));
    theirRates.push(rate(theirs, workload, budgetMs, theirCursor, 4));
  }
  const value = median(oursRates);
  const baseline = median(theirRates);
  const ratio = ratioOf(value, baseline);
  const withTarget = patternCount === 10_000;
  ctx.log(`gate ${patternCount} patterns: ${Math.round(value).toLocaleString()} /s vs ${Math.round(baseline).toLocaleString()} /s`);
  return {
    name: `gate classify ${patternCount >= 1000 ? `${patternCount / 1000}k` : patternCount} patterns`,
    value: Math.round(value),
    unit: "msg/s",
    baseline: Math.round(baseline),
    ratio: round(ratio, 1),
    target: withTarget ? `ratio ≥ ${MIN_SPEEDUP} and ≥ ${MIN_RATE.toLocaleString("en-US")} msg/s` : "report only (growth)",
    met: withTarget ? ratio >= MIN_SPEEDUP && value >= MIN_RATE : null,
    detail: {
      patterns: workload.lists.admitted.length + workload.lists.watched.length + workload.lists.muted.length,
      lists: { admitted: workload.lists.admitted.length, watched: workload.lists.watched.length, muted: workload.lists.muted.length },
      patternMix: workload.patternMix,
      messages: MESSAGE_COUNT,
      tiers: tierCounts(ours, workload),
      rounds,
      roundMs: budgetMs,
      oursRoundsPerSecond: oursRates.map((r) => Math.round(r)),
      baselineRoundsPerSecond: theirRates.map((r) => Math.round(r)),
      agreement: `the first ${checked} messages classified alike by both`,
    },
  };
}

export const gateClassify: Benchmark = {
  id: "gate",
  summary: "core Gate.classify vs the reference's per-pattern loop, 100 / 1k / 10k patterns",
  async run(ctx) {
    const results: BenchResult[] = [];
    for (const size of [100, 1000, 10_000]) results.push(await measure(size, ctx));
    if (sink === -1) ctx.log("unreachable");
    return results;
  },
};
