/**
 * `e2e admitted latency`: a message published on Mosquitto until Claude Code would
 * have it — the `notifications/claude/channel` at a real MCP client of the built
 * bridge — against the plainest hop there is: an mqtt.js subscriber of the same
 * topic on the same broker. Both watch the very same messages (one publisher, one
 * pace, same QoS), so any difference is the bridge's.
 *
 * Flow-hosted mode, when the bridge supports it, adds one broker hop by design
 * (flow → broker → bridge); `flowHosted` measures it the same way.
 */
import { randomUUID } from "node:crypto";
import { startBroker, type TestBroker } from "../../test/helpers/broker.js";
import { startBridge, type RunningBridge } from "../lib/bridge.js";
import { connectClient, endClient, subscribe, waitFor } from "../lib/mqtt.js";
import { ratioOf, type BenchContext, type BenchResult, type Benchmark } from "../lib/result.js";
import { round } from "../lib/stats.js";
import { LatencyRun, type LatencyStats } from "./probe-run.js";

const QOS = 1;
const MAX_P99_RATIO = 1.2;

export interface RunShape {
  count: number;
  intervalMs: number;
  warmup: number;
}

export function runShape(quick: boolean): RunShape {
  return quick ? { count: 1000, intervalMs: 3, warmup: 100 } : { count: 3000, intervalMs: 4, warmup: 200 };
}

export function rounded(stats: LatencyStats): Record<string, number> {
  return {
    received: stats.received,
    missing: stats.missing,
    p50Ms: round(stats.p50Ms, 3),
    p90Ms: round(stats.p90Ms, 3),
    p99Ms: round(stats.p99Ms, 3),
    maxMs: round(stats.maxMs, 3),
  };
}

/** Subscribed and connected, as the bridge's own status tool says. */
export async function waitSubscribed(bridge: RunningBridge, filter: string): Promise<void> {
  await waitFor(`the bridge to subscribe to ${filter}`, async () => {
    const status = JSON.parse((await bridge.tool("status")).text) as { connection?: { state?: string }; activeSubscriptions?: string[] };
    return status.connection?.state === "connected" && (status.activeSubscriptions ?? []).includes(filter);
  });
}

/** Runs `measured` after a warm-up of the same shape; receivers report into whichever run is current. */
export async function pacedRuns(
  broker: TestBroker,
  topic: string,
  receivers: string[],
  shape: RunShape,
  setCurrent: (run: LatencyRun) => void,
): Promise<LatencyRun> {
  const publisher = await connectClient(broker.url, { clientId: `bench-pub-${randomUUID().slice(0, 8)}` });
  try {
    const warmup = new LatencyRun(shape.warmup, receivers);
    setCurrent(warmup);
    await warmup.publish(publisher, topic, QOS, shape.intervalMs, 3000);
    for (const r of receivers) {
      const s = warmup.stats(r);
      if (s.received === 0) throw new Error(`${r} received none of the warm-up messages`);
    }
    const measured = new LatencyRun(shape.count, receivers);
    setCurrent(measured);
    await measured.publish(publisher, topic, QOS, shape.intervalMs, 3000);
    return measured;
  } finally {
    await endClient(publisher);
  }
}

export interface HostedLatency {
  bridge: LatencyStats;
  raw: LatencyStats;
  shape: RunShape;
}

async function measureBridgeHosted(ctx: BenchContext, broker: TestBroker): Promise<HostedLatency> {
  const prefix = `bench${randomUUID().slice(0, 6)}`;
  const topic = `${prefix}/devices/probe/state`;
  const filter = `${prefix}/devices/#`;
  const shape = runShape(ctx.quick);
  let current: LatencyRun | undefined;
  const bridge = await startBridge({
    brokerUrl: broker.url,
    name: "bench",
    prefix,
    env: { QOS: String(QOS) },
    sessionFile: { admitted: [filter], watched: [], muted: [] },
    onChannel: (notice) => {
      const seq = LatencyRun.seqOf(notice.content);
      if (seq !== undefined) current?.seen("bridge", seq);
    },
  });
  const raw = await connectClient(broker.url, { clientId: `bench-raw-${prefix}` });
  try {
    raw.on("message", (_topic, payload) => {
      const parsed = JSON.parse(payload.toString()) as { content: string };
      const seq = LatencyRun.seqOf(parsed.content);
      if (seq !== undefined) current?.seen("raw", seq);
    });
    await subscribe(raw, filter, QOS);
    await waitSubscribed(bridge, filter);
    ctx.log(`e2e bridge-hosted: ${shape.count} messages, one every ${shape.intervalMs} ms`);
    const run = await pacedRuns(broker, topic, ["bridge", "raw"], shape, (r) => (current = r));
    return { bridge: run.stats("bridge"), raw: run.stats("raw"), shape };
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbridge stderr:\n${bridge.stderrTail()}`);
  } finally {
    await endClient(raw);
    await bridge.stop();
  }
}

export function latencyResults(label: string, measured: LatencyStats, baseline: LatencyStats, shape: RunShape, quick: boolean, extra: Record<string, unknown>): BenchResult[] {
  const messages = quick ? `${shape.count} messages (quick run; the full run uses 3,000)` : `${shape.count} messages`;
  const detail = {
    messages,
    intervalMs: shape.intervalMs,
    qos: QOS,
    measured: rounded(measured),
    baseline: rounded(baseline),
    ...extra,
  };
  return [
    {
      name: `e2e admitted latency p99 (${label})`,
      value: round(measured.p99Ms, 3),
      unit: "ms",
      baseline: round(baseline.p99Ms, 3),
      ratio: round(ratioOf(measured.p99Ms, baseline.p99Ms), 2),
      target: `p99 ratio ≤ ${MAX_P99_RATIO}, nothing lost`,
      met: ratioOf(measured.p99Ms, baseline.p99Ms) <= MAX_P99_RATIO && measured.missing === 0,
      detail,
    },
    {
      name: `e2e admitted latency p50 (${label})`,
      value: round(measured.p50Ms, 3),
      unit: "ms",
      baseline: round(baseline.p50Ms, 3),
      ratio: round(ratioOf(measured.p50Ms, baseline.p50Ms), 2),
      target: "report only",
      met: null,
      detail: { messages },
    },
  ];
}

export const e2eLatency: Benchmark = {
  id: "e2e",
  summary: "Mosquitto → channel notification at an MCP client of the bridge, vs a raw mqtt.js subscriber",
  async run(ctx) {
    const broker = await startBroker();
    try {
      const hosted = await measureBridgeHosted(ctx, broker);
      ctx.log(`e2e bridge-hosted: p99 ${hosted.bridge.p99Ms.toFixed(3)} ms vs raw ${hosted.raw.p99Ms.toFixed(3)} ms`);
      return latencyResults("bridge-hosted", hosted.bridge, hosted.raw, hosted.shape, ctx.quick, {
        path: "publisher → Mosquitto → bridge (Session, gate, notification) → stdio → MCP client",
        baselinePath: "publisher → Mosquitto → mqtt.js subscriber (same process as the MCP client)",
      });
    } finally {
      await broker.stop();
    }
  },
};
