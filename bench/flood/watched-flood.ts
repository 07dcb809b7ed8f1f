/**
 * `watched flood`: 20,000 messages a second for 60 s (quick: 10 s), QoS 0, spread
 * over 10,000 topics the bridge watches. Asks of the bridge, measured on the
 * process itself:
 * - CPU time per watched message at most 2× that of a bare mqtt.js subscriber
 *   keeping each message in a Map (bare-subscriber.ts), flooded the same way in the
 *   same run, just before;
 * - RSS growth (the kernel's VmHWM over the idle RSS) at most 1.5× the buffer bound
 *   (MQTT_BUFFER_MAX_BYTES, 16 MiB);
 * - no event-loop stall over 50 ms (monitorEventLoopDelay inside the bridge, via
 *   the preloaded probe);
 * - `status` and `inbox`, called throughout the flood, answer within 20 ms at p99;
 * - evictions counted and reported by the `status` tool.
 * The other figures have their baseline from the same bridge, idle, just before the flood.
 */
import { randomUUID } from "node:crypto";
import { startBroker } from "../../test/helpers/broker.js";
import { startBridge } from "../lib/bridge.js";
import { sleep } from "../lib/mqtt.js";
import type { ProbeSample } from "../lib/probe.js";
import { ratioOf, type BenchContext, type BenchResult, type Benchmark } from "../lib/result.js";
import { percentile, round } from "../lib/stats.js";
import { waitSubscribed } from "../e2e/receivers.js";
import { bareSubscriberRun } from "./bare-run.js";
import { processCpuMicros } from "../lib/cpu.js";
import { startPublisher } from "./publisher-control.js";
import { callTools, status } from "./tools.js";

const RATE = 20_000;
const TOPICS = 10_000;
const BUFFER_MAX_BYTES = 16 * 1024 * 1024;
const MAX_RSS_GROWTH_RATIO = 1.5;
const MAX_STALL_MS = 50;
const MAX_TOOL_P99_MS = 20;
const MAX_CPU_RATIO = 2;
const MB = 1e6;

function window(samples: ProbeSample[], from: number, to: number): ProbeSample[] {
  return samples.filter((s) => s.t > from && s.t <= to + 300);
}

async function flood(ctx: BenchContext): Promise<BenchResult[]> {
  const seconds = ctx.quick ? 10 : 60;
  const broker = await startBroker();
  const bare = await bareSubscriberRun(broker.url, `bench${randomUUID().slice(0, 6)}`, { rate: RATE, seconds, topics: TOPICS });
  ctx.log(`flood baseline: bare subscriber ${bare.cpuMicrosPerMessage.toFixed(2)} µs CPU per message (${bare.received} received)`);
  const prefix = `bench${randomUUID().slice(0, 6)}`;
  const filter = `${prefix}/sensor/#`;
  const bridge = await startBridge({
    brokerUrl: broker.url,
    name: "bench",
    prefix,
    probe: true,
    env: { MQTT_BUFFER_MAX_BYTES: String(BUFFER_MAX_BYTES) },
    sessionFile: { admitted: [], watched: [filter], muted: [] },
  });
  try {
    await waitSubscribed(bridge, filter);
    const sampleTopic = `${prefix}/sensor/room_3_probe_3/state`;

    // Idle baseline: the same tools, the same probe, no traffic.
    const idleFrom = Date.now();
    let idleDone = false;
    const idleTools = callTools(bridge, sampleTopic, () => idleDone);
    await sleep(3000);
    idleDone = true;
    const idle = await idleTools;
    const idleTo = Date.now();
    const idleRss = Math.max(...window(bridge.probeSamples(), idleFrom, idleTo).map((s) => s.rss));

    ctx.log(`flood: ${RATE.toLocaleString()} msg/s for ${seconds} s over ${TOPICS.toLocaleString()} watched topics`);
    const publisher = await startPublisher(broker.url, prefix, { rate: RATE, seconds, topics: TOPICS });
    const floodFrom = Date.now();
    let floodDone = false;
    const floodTools = callTools(bridge, sampleTopic, () => floodDone);
    const cpuBefore = processCpuMicros(bridge.pid);
    const gatedBefore = (await status(bridge)).status.counts?.watched ?? 0;
    const sent = await publisher.go();
    // Let the bridge drain what the broker still holds for it.
    await sleep(1500);
    floodDone = true;
    const during = await floodTools;
    const floodTo = Date.now();
    const after = await status(bridge);
    const cpuMicros = processCpuMicros(bridge.pid) - cpuBefore;

    const samples = window(bridge.probeSamples(), floodFrom, floodTo);
    const peakRss = bridge.peakRss();
    const maxStall = Math.max(...samples.map((s) => s.maxDelayMs));
    const idleStall = Math.max(...window(bridge.probeSamples(), idleFrom, idleTo).map((s) => s.maxDelayMs));
    const evicted = after.status.evicted ?? {};
    const evictedTotal = (evicted.perTopic ?? 0) + (evicted.age ?? 0) + (evicted.bytes ?? 0);
    const gated = after.status.counts?.watched ?? 0;
    const bufferBytes = after.status.bufferBytes ?? Number.NaN;
    const rssGrowth = peakRss - idleRss;
    const cpuPerMessage = cpuMicros / Math.max(1, gated - gatedBefore);
    const cpuRatio = ratioOf(cpuPerMessage, bare.cpuMicrosPerMessage);
    const toolP99 = Math.max(percentile(during.status, 99), percentile(during.inbox, 99));
    const allTools = [...during.status, ...during.inbox];
    const idleAll = [...idle.status, ...idle.inbox];
    const publishRate = sent.published / sent.seconds;
    const gatedRate = gated / sent.seconds;
    ctx.log(`flood: published ${sent.published} in ${sent.seconds.toFixed(1)} s; bridge gated ${gated}, evicted ${evictedTotal}; peak RSS ${(peakRss / MB).toFixed(1)} MB; max stall ${maxStall.toFixed(1)} ms`);

    const common = {
      seconds,
      ratePerSecond: RATE,
      topics: TOPICS,
      bufferMaxBytes: BUFFER_MAX_BYTES,
      published: sent.published,
      publishSeconds: round(sent.seconds, 2),
    };
    return [
      {
        name: "watched flood CPU per message",
        value: round(cpuPerMessage, 2),
        unit: "µs",
        baseline: round(bare.cpuMicrosPerMessage, 2),
        ratio: round(cpuRatio, 2),
        target: `ratio ≤ ${MAX_CPU_RATIO} vs a bare mqtt.js subscriber keeping messages in a Map`,
        met: cpuRatio <= MAX_CPU_RATIO,
        detail: {
          ...common,
          measured: "user + system CPU time of the bridge process (/proc/<pid>/stat) over the flood and its drain, per message gated; includes the status / inbox calls",
          baselineMeasured: "the same flood, same broker, into a child process that only subscribes (MQTT 5, as the bridge) and keeps each message in a Map by topic (bench/baseline/bare-subscriber.ts)",
          bridgeCpuSeconds: round(cpuMicros / 1e6, 2),
          bare: { received: bare.received, cpuSeconds: round(bare.cpuMicros / 1e6, 2) },
        },
      },
      {
        name: "watched flood RSS growth",
        value: round(rssGrowth / MB, 1),
        unit: "MB",
        baseline: round(BUFFER_MAX_BYTES / MB, 1),
        ratio: round(ratioOf(rssGrowth, BUFFER_MAX_BYTES), 2),
        target: `≤ ${MAX_RSS_GROWTH_RATIO}× the buffer's byte bound`,
        met: rssGrowth <= MAX_RSS_GROWTH_RATIO * BUFFER_MAX_BYTES,
        detail: {
          ...common,
          measured: "VmHWM of the bridge process (kernel peak RSS, from spawn to the end of the flood) minus its idle RSS",
          peakRssMB: round(peakRss / MB, 1),
          idleRssMB: round(idleRss / MB, 1),
          peakHeapUsedMB: round(Math.max(...samples.map((s) => s.heapUsed)) / MB, 1),
        },
      },
      {
        name: "watched flood event-loop max delay",
        value: round(maxStall, 1),
        unit: "ms",
        baseline: round(idleStall, 1),
        ratio: round(ratioOf(maxStall, idleStall), 2),
        target: `≤ ${MAX_STALL_MS} ms`,
        met: maxStall <= MAX_STALL_MS,
        detail: {
          ...common,
          measured: "perf_hooks.monitorEventLoopDelay (10 ms resolution) inside the bridge, max over the flood",
          windowsOver20ms: samples.filter((s) => s.maxDelayMs > 20).length,
          windows: samples.length,
          longestGaps: [...samples]
            .sort((a, b) => b.maxGapMs - a.maxGapMs)
            .slice(0, 3)
            .map((s) => ({ ms: round(s.maxGapMs, 1), cpuShare: round(s.maxGapCpuShare, 2), gcMaxMs: round(s.maxGcMs, 1), gcKind: s.maxGcKind })),
        },
      },
      {
        name: "watched flood tool latency p99",
        value: round(toolP99, 1),
        unit: "ms",
        baseline: round(percentile(idleAll, 99), 1),
        ratio: round(ratioOf(toolP99, percentile(idleAll, 99)), 2),
        target: `status and inbox each ≤ ${MAX_TOOL_P99_MS} ms at p99, every call answered`,
        met: during.failures.length === 0 && allTools.length > 0 && toolP99 <= MAX_TOOL_P99_MS,
        detail: {
          calls: allTools.length,
          failures: during.failures,
          statusMs: { p50: round(percentile(during.status, 50), 1), p99: round(percentile(during.status, 99), 1), max: round(Math.max(...during.status), 1) },
          inboxMs: { p50: round(percentile(during.inbox, 50), 1), p99: round(percentile(during.inbox, 99), 1), max: round(Math.max(...during.inbox), 1) },
          idleMs: { p50: round(percentile(idleAll, 50), 1), p99: round(percentile(idleAll, 99), 1) },
        },
      },
      {
        name: "watched flood throughput",
        value: Math.round(gatedRate),
        unit: "msg/s",
        baseline: Math.round(publishRate),
        ratio: round(ratioOf(gatedRate, publishRate), 3),
        target: "all gated; evictions counted in status; buffer within its bound",
        met: gated >= sent.published && evictedTotal > 0 && bufferBytes <= BUFFER_MAX_BYTES,
        detail: { ...common, gated, evicted, bufferBytes, statusReports: ["counts.watched", "evicted", "bufferBytes", "bufferMaxBytes"] },
      },
    ];
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbridge stderr:\n${bridge.stderrTail()}`);
  } finally {
    await bridge.stop();
    await broker.stop();
  }
}

export const watchedFlood: Benchmark = {
  id: "flood",
  summary: "20,000 msg/s over 10,000 watched topics into the bridge: CPU per message vs a bare subscriber, RSS, event-loop delay, evictions, tools",
  run: flood,
};
