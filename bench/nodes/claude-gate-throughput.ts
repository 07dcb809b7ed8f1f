/**
 * `claude-gate throughput`: flow messages a second through a claude-gate node in a
 * real Node-RED runtime (embedded, with this package installed as a contrib package),
 * against a function node holding `return msg;` in the same runtime, same messages,
 * same shape of flow (the node under test, then one hop to an inactive debug node).
 * The test helper is not used here: it wraps every node's send and log in spies,
 * which would cost more than the nodes themselves.
 *
 * Messages go in with `receive()` in batches; a batch is done when the sink has seen
 * every message of it. The two flows alternate round by round; the median round
 * counts. The gate's session has 100 patterns in its lists (Home-Assistant-like
 * topics, sender names) and is connected to Mosquitto, as in a deployed flow.
 */
import { startBroker } from "../../test/helpers/broker.js";
import { waitFor } from "../lib/mqtt.js";
import { ratioOf, type BenchContext, type BenchResult, type Benchmark } from "../lib/result.js";
import { median, round } from "../lib/stats.js";
import { startRed, type EmbeddedRed, type FlowNode } from "./embedded-red.js";
import { gateMessages, type GateMessages } from "./messages.js";

const MIN_RATIO = 1.0;
const BATCH = 1000;
const PATTERNS = 100;

function flow(brokerUrl: string, lists: GateMessages["lists"]): FlowNode[] {
  return [
    { id: "t1", type: "tab", label: "bench" },
    { id: "s1", type: "claude-session", name: "bench", broker: brokerUrl, prefix: `bench${Date.now() % 100_000}`, qos: 1, heartbeat: 60, ...lists },
    { id: "gate", type: "claude-gate", z: "t1", session: "s1", mode: "lists", subject: "topic", subjectType: "msg", wires: [["gateSink"], ["gateSink"], ["gateSink"]] },
    { id: "passthrough", type: "function", z: "t1", func: "return msg;", outputs: 1, noerr: 0, initialize: "", finalize: "", libs: [], wires: [["functionSink"]] },
    { id: "gateSink", type: "debug", z: "t1", active: false, tosidebar: false, console: false, tostatus: false, complete: "true" },
    { id: "functionSink", type: "debug", z: "t1", active: false, tosidebar: false, console: false, tostatus: false, complete: "true" },
  ];
}

/** Per tier, the gate's verdicts seen at its sink (msg.claude.tier). */
const tiers: Record<string, number> = {};

/** Messages a second through `entry`, counted at `sink`, over `total` messages in batches. */
async function rate(red: EmbeddedRed, entry: string, sink: string, messages: GateMessages, total: number, offset: number): Promise<number> {
  const source = red.node(entry);
  const target = red.node(sink);
  let seen = 0;
  let wake: (() => void) | undefined;
  let waitingFor = 0;
  const listener = (msg: Record<string, unknown>): void => {
    const tier = (msg as { claude?: { tier?: string } }).claude?.tier;
    if (tier) tiers[tier] = (tiers[tier] ?? 0) + 1;
    seen++;
    if (seen >= waitingFor) wake?.();
  };
  target.on("input", listener);
  try {
    const started = process.hrtime.bigint();
    for (let sent = 0; sent < total; ) {
      const batch = Math.min(BATCH, total - sent);
      const batchMessages: Array<Record<string, unknown>> = [];
      for (let i = 0; i < batch; i++) batchMessages.push(messages.message(offset + sent + i));
      waitingFor = sent + batch;
      const done = new Promise<void>((resolve) => (wake = resolve));
      for (const msg of batchMessages) source.receive(msg);
      if (seen < waitingFor) await done;
      sent += batch;
    }
    return total / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    target.off("input", listener);
  }
}

async function measure(ctx: BenchContext): Promise<BenchResult[]> {
  const broker = await startBroker();
  const messages = gateMessages(PATTERNS, 20_000);
  let red: EmbeddedRed | undefined;
  try {
    red = await startRed(flow(broker.url, messages.lists));
    const runtime = red;
    await waitFor("the claude-session node to connect", () => {
      const sessionNode = runtime.node("s1") as unknown as { current?: () => { session?: { state?: string } } };
      return sessionNode.current?.().session?.state === "connected";
    });
    const rounds = ctx.quick ? 5 : 9;
    const perRound = ctx.quick ? 20_000 : 50_000;
    // Warm-up: both paths, unmeasured.
    await rate(runtime, "gate", "gateSink", messages, perRound / 2, 0);
    await rate(runtime, "passthrough", "functionSink", messages, perRound / 2, 0);
    const gateRates: number[] = [];
    const functionRates: number[] = [];
    for (let r = 0; r < rounds; r++) {
      gateRates.push(await rate(runtime, "gate", "gateSink", messages, perRound, r * perRound));
      functionRates.push(await rate(runtime, "passthrough", "functionSink", messages, perRound, r * perRound));
    }
    const value = median(gateRates);
    const baseline = median(functionRates);
    const ratio = ratioOf(value, baseline);
    ctx.log(`claude-gate: ${Math.round(value).toLocaleString()} msg/s vs function passthrough ${Math.round(baseline).toLocaleString()} msg/s`);
    return [
      {
        name: "claude-gate throughput",
        value: Math.round(value),
        unit: "msg/s",
        baseline: Math.round(baseline),
        ratio: round(ratio, 2),
        target: `ratio ≥ ${MIN_RATIO}`,
        met: ratio >= MIN_RATIO,
        detail: {
          runtime: "embedded Node-RED (RED.init/start), this package installed in its userDir, session connected to Mosquitto",
          runtimeProblems: runtime.problems.slice(0, 5),
          patterns: PATTERNS,
          messagesPerRound: perRound,
          batch: BATCH,
          rounds,
          gateRoundsPerSecond: gateRates.map((r) => Math.round(r)),
          functionRoundsPerSecond: functionRates.map((r) => Math.round(r)),
          gateTiers: { ...tiers },
          mix: "half mqtt-in style (topic + JSON object payload), half Home Assistant events:state messages",
        },
      },
    ];
  } finally {
    await red?.stop();
    await broker.stop();
  }
}

export const claudeGateThroughput: Benchmark = {
  id: "claude-gate",
  summary: "claude-gate node vs a function-node passthrough in a real Node-RED runtime",
  run: measure,
};
