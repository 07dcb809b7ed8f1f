/**
 * `e2e admitted latency`: a message published on Mosquitto until Claude Code would
 * have it — the `notifications/claude/channel` at a real MCP client of the built
 * bridge — against the least any stdio channel server can do: a relay, an mqtt.js
 * subscriber in a child process writing each message as a notification's JSON-RPC
 * line to stdout. Every phase also times the same messages at an mqtt.js subscriber
 * in this process (one broker hop), so a reader can tell a slow phase from a slow path.
 *
 * Phases, one after the other so that they do not compete for the two cores:
 * 1. bridge-hosted: the bridge's own session admits the topic;
 * 2. relay: the baseline;
 * 3. flow-hosted: a session in another process (as Node-RED) admits the topic and
 *    the bridge (SESSION_HOST=flow) gets it over the link: by design one broker hop
 *    more than phase 1.
 * Pacing is off in every phase: each message's latency is measured.
 */
import { randomUUID } from "node:crypto";
import { startBroker, type TestBroker } from "../../test/helpers/broker.js";
import { connectClient, endClient } from "../lib/mqtt.js";
import { ratioOf, type BenchContext, type BenchResult, type Benchmark } from "../lib/result.js";
import { round } from "../lib/stats.js";
import { LatencyRun, type LatencyStats } from "./probe-run.js";
import { bridgeHosted, flowHosted, QOS, rawSubscriber, relay, type Receiver, type Seen } from "./receivers.js";

const MAX_P99_RATIO = 1.1;

interface RunShape {
  count: number;
  intervalMs: number;
  warmup: number;
}

function runShape(quick: boolean): RunShape {
  return quick ? { count: 1000, intervalMs: 3, warmup: 100 } : { count: 3000, intervalMs: 4, warmup: 200 };
}

function rounded(stats: LatencyStats): Record<string, number> {
  return {
    received: stats.received,
    missing: stats.missing,
    p50Ms: round(stats.p50Ms, 3),
    p90Ms: round(stats.p90Ms, 3),
    p99Ms: round(stats.p99Ms, 3),
    maxMs: round(stats.maxMs, 3),
  };
}

type StartReceiver = (broker: TestBroker, prefix: string, filter: string, seen: Seen) => Promise<Receiver>;

/** Starts the receivers, times a warm-up and then the measured run, stops them; stats by receiver name. */
async function phase(broker: TestBroker, shape: RunShape, starters: StartReceiver[]): Promise<Record<string, LatencyStats>> {
  const prefix = `bench${randomUUID().slice(0, 6)}`;
  const filter = `${prefix}/devices/#`;
  const topic = `${prefix}/devices/probe/state`;
  let current: LatencyRun | undefined;
  const seen: Seen = (receiver, seq) => current?.seen(receiver, seq);
  const receivers: Receiver[] = [];
  const publisher = await connectClient(broker.url, { clientId: `bench-pub-${randomUUID().slice(0, 8)}` });
  try {
    for (const start of starters) receivers.push(await start(broker, prefix, filter, seen));
    const names = receivers.map((r) => r.name);
    const warmup = new LatencyRun(shape.warmup, names);
    current = warmup;
    await warmup.publish(publisher, topic, QOS, shape.intervalMs, 3000);
    for (const name of names) {
      if (warmup.stats(name).received === 0) throw new Error(`${name} received none of the warm-up messages`);
    }
    const run = new LatencyRun(shape.count, names);
    current = run;
    await run.publish(publisher, topic, QOS, shape.intervalMs, 3000);
    return Object.fromEntries(names.map((name) => [name, run.stats(name)]));
  } finally {
    current = undefined;
    for (const r of receivers.reverse()) await r.stop().catch(() => undefined);
    await endClient(publisher);
  }
}

function row(name: string, value: number, baseline: number, target: string, met: boolean | null, detail: Record<string, unknown>): BenchResult {
  return { name, value: round(value, 3), unit: "ms", baseline: round(baseline, 3), ratio: round(ratioOf(value, baseline), 2), target, met, detail };
}

const rawStarter: StartReceiver = (broker, _prefix, filter, seen) => rawSubscriber(broker, filter, seen);
const bridgeHostedStarter: StartReceiver = (broker, prefix, filter, seen) => bridgeHosted(broker, prefix, filter, seen);
const relayStarter: StartReceiver = (broker, _prefix, filter, seen) => relay(broker, filter, seen);
const flowStarter: StartReceiver = (broker, prefix, filter, seen) => flowHosted(broker, prefix, filter, seen);

interface Common {
  messages: string;
  intervalMs: number;
  qos: number;
}

function bridgeHostedRows(hosted: Record<string, LatencyStats>, relayed: Record<string, LatencyStats>, common: Common): BenchResult[] {
  const bridge = hosted.bridge!;
  const relay = relayed.relay!;
  const ratio = ratioOf(bridge.p99Ms, relay.p99Ms);
  return [
    row("e2e admitted latency p99 (bridge-hosted)", bridge.p99Ms, relay.p99Ms, `ratio ≤ ${MAX_P99_RATIO} vs the relay, nothing lost`, ratio <= MAX_P99_RATIO && bridge.missing === 0, {
      ...common,
      path: "publisher → Mosquitto → bridge (session, gate, notification) → stdio → MCP client",
      baselinePath: "publisher → Mosquitto → relay (mqtt.js subscriber in a child process) → notification JSON-RPC line on stdout → this process",
      bridge: rounded(bridge),
      relay: rounded(relay),
      inProcessSubscriber: {
        note: "one broker hop, no process hop: no stdio server can meet it; shown to tell a slow phase from a slow path",
        duringBridgePhase: rounded(hosted.raw!),
        duringRelayPhase: rounded(relayed.raw!),
      },
    }),
    row("e2e admitted latency p50 (bridge-hosted)", bridge.p50Ms, relay.p50Ms, "report only", null, { messages: common.messages }),
  ];
}

/** Flow mode adds one broker hop and one process by design: its baseline is the relay plus one raw hop. */
function flowHostedRows(flowPhase: Record<string, LatencyStats>, relay: LatencyStats, common: Common): BenchResult[] {
  const flow = flowPhase.flow!;
  const raw = flowPhase.raw!;
  const oneHopMore = relay.p99Ms + raw.p99Ms;
  return [
    row("e2e admitted latency p99 (flow-hosted)", flow.p99Ms, oneHopMore, `ratio ≤ ${MAX_P99_RATIO} vs the relay plus one broker hop, nothing lost`, ratioOf(flow.p99Ms, oneHopMore) <= MAX_P99_RATIO && flow.missing === 0, {
      ...common,
      path: "publisher → Mosquitto → flow session (own process) → link event → Mosquitto → bridge → stdio → MCP client",
      baseline: "the relay's p99 (phase 2) + the in-process subscriber's p99 measured alongside the flow run (the extra broker hop)",
      flow: rounded(flow),
      raw: rounded(raw),
    }),
    row("e2e admitted latency p50 (flow-hosted)", flow.p50Ms, relay.p50Ms + raw.p50Ms, "report only", null, { messages: common.messages }),
  ];
}

async function measure(ctx: BenchContext): Promise<BenchResult[]> {
  const shape = runShape(ctx.quick);
  const messages = ctx.quick ? `${shape.count} per phase (quick run; the full run uses 3,000)` : `${shape.count} per phase`;
  const common: Common = { messages, intervalMs: shape.intervalMs, qos: QOS };
  const broker = await startBroker();
  try {
    ctx.log(`e2e: ${shape.count} messages per phase, one every ${shape.intervalMs} ms`);
    const hosted = await phase(broker, shape, [rawStarter, bridgeHostedStarter]);
    ctx.log(`e2e bridge-hosted: p99 ${hosted.bridge!.p99Ms.toFixed(3)} ms vs raw ${hosted.raw!.p99Ms.toFixed(3)} ms`);
    const relayed = await phase(broker, shape, [rawStarter, relayStarter]);
    ctx.log(`e2e relay reference: p99 ${relayed.relay!.p99Ms.toFixed(3)} ms vs raw ${relayed.raw!.p99Ms.toFixed(3)} ms`);
    const flowPhase = await phase(broker, shape, [rawStarter, flowStarter]);
    ctx.log(`e2e flow-hosted: p99 ${flowPhase.flow!.p99Ms.toFixed(3)} ms vs raw ${flowPhase.raw!.p99Ms.toFixed(3)} ms`);
    return [...bridgeHostedRows(hosted, relayed, common), ...flowHostedRows(flowPhase, relayed.relay!, common)];
  } finally {
    await broker.stop();
  }
}

export const e2eLatency: Benchmark = {
  id: "e2e",
  summary: "Mosquitto → channel notification at an MCP client of the bridge (bridge- and flow-hosted), vs a child-process relay writing the notification line",
  run: measure,
};
