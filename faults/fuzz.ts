/**
 * Hostile input against the built bridge: fuzzed payloads on its admitted, watched and muted
 * topics, and fuzzed tool calls. Targets: the bridge keeps running and answering, every
 * message is accounted for in `status` (delivered or dropped under a named reason), and every
 * tool call gets an answer.
 */
import { TOOL_NAMES } from "../session/tools/schemas.js";
import { Peer, startBridge, type BridgeClient, type StatusJson } from "../test/bridge/harness.js";
import { startBroker } from "../test/helpers/broker.js";
import { until, type Fault, type FaultResult, type FaultSize } from "./fault.js";

/** A small deterministic generator (mulberry32), so a run can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nested(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

const PAYLOADS: Array<(r: () => number) => Buffer | string> = [
  (r) => Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256))),
  (r) => nested(1 + Math.floor(r() * 20_000)),
  (r) => `{"a":${nested(Math.floor(r() * 5000))}}`,
  () => "x".repeat(300_000),
  () => Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]),
  () => "",
  () => "\u0000\u0001\u001b[31mred\u2028line",
  (r) => JSON.stringify({ sender: r() < 0.5 ? 42 : "x".repeat(10_000), ts: "not a time", content: { deep: nested(50) } }),
  (r) => JSON.stringify({ sender: "peer", ts: new Date().toISOString(), content: String(r()), correlation_id: 7, reply_to: "#" }),
  (r) => String(r()),
];

async function bridgeWithLists(brokerUrl: string, env: Record<string, string> = {}): Promise<BridgeClient> {
  const bridge = await startBridge({ brokerUrl, env: { MQTT_COALESCE_INTERVAL: "0", MQTT_NOTIFY_MAX_PER_MINUTE: "0", MQTT_REQUEST_TIMEOUT: "1", ...env } });
  await bridge.ok("admit", { pattern: `${bridge.prefix}/a/#` });
  await bridge.ok("watch", { pattern: `${bridge.prefix}/w/#` });
  // Muted inside the admitted tree, so muted messages reach the session and are dropped there.
  await bridge.ok("mute", { pattern: `${bridge.prefix}/a/m/#` });
  return bridge;
}

/** Delivered plus dropped. An oversize payload is counted in both (Claude is told of it, its bytes are dropped): once here. */
function accounted(status: StatusJson): number {
  const { admitted, watched, dropped } = status.counts;
  return admitted + watched + Object.entries(dropped).reduce((sum, [reason, n]) => (reason === "oversize" ? sum : sum + n), 0);
}

export const fuzzPayloads: Fault = {
  id: "fuzz-payloads",
  title: "fuzzed payloads",
  async run(size: FaultSize): Promise<FaultResult> {
    const count = size === "quick" ? 2000 : 20_000;
    const broker = await startBroker();
    const bridge = await bridgeWithLists(broker.url);
    const peer = await Peer.connect(broker.url);
    const r = random(15);
    try {
      for (let i = 0; i < count; i += 100) {
        const batch: Array<Promise<void>> = [];
        for (let j = i; j < Math.min(i + 100, count); j++) {
          const tier = ["a", "w", "a/m"][j % 3]!;
          batch.push(peer.publish(`${bridge.prefix}/${tier}/${j % 50}`, PAYLOADS[Math.floor(r() * PAYLOADS.length)]!(r)));
        }
        await Promise.all(batch);
      }
      const all = await until(async () => accounted(await bridge.status()) >= count, 60_000);
      const status = await bridge.status();
      return {
        id: this.id,
        title: this.title,
        figures: { sent: count, accounted: accounted(status), admitted: status.counts.admitted, watched: status.counts.watched, nested: status.counts.nested, binary: status.counts.binary, ...prefixed("dropped.", status.counts.dropped) },
        targets: [
          { what: "the bridge keeps running and answering", met: !(await bridge.call("status")).isError },
          { what: "every message is counted: delivered, or dropped under a named reason", met: all && accounted(status) === count },
        ],
      };
    } finally {
      await peer.end();
      await bridge.close().catch(() => undefined);
      await broker.stop();
    }
  },
};

const VALUES: Array<(r: () => number) => unknown> = [
  () => undefined,
  () => null,
  (r) => Math.floor(r() * 2000) - 1000,
  (r) => r() * 1e12,
  () => Number.MAX_SAFE_INTEGER,
  () => "",
  () => "#",
  () => "a/+/b",
  () => "home#",
  () => "x".repeat(70_000),
  () => "\ud800",
  () => "a\u0000b",
  () => true,
  () => [1, "two", { three: 3 }],
  () => ({ nested: { deeper: [nested(10)] } }),
  () => "$SYS/#",
  // A filter of very many levels: Mosquitto drops the connection over it.
  () => `${"level/".repeat(300)}#`,
];

const ARGUMENT_NAMES = ["topic", "text", "pattern", "target", "timeout", "limit", "clear", "raw", "retain", "qos", "bufferMaxAge", "bufferMaxPerTopic", "coalesceInterval", "notifyPerMinute", "correlation_id", "reply_to", "extra"];

export const fuzzToolCalls: Fault = {
  id: "fuzz-tool-calls",
  title: "fuzzed tool calls",
  async run(size: FaultSize): Promise<FaultResult> {
    const count = size === "quick" ? 500 : 5000;
    const broker = await startBroker();
    const bridge = await bridgeWithLists(broker.url);
    const r = random(42);
    let answered = 0;
    let errors = 0;
    let failedCalls = 0;
    try {
      for (let i = 0; i < count; i += 10) {
        const batch: Array<Promise<void>> = [];
        for (let j = i; j < Math.min(i + 10, count); j++) {
          const name = r() < 0.05 ? "no_such_tool" : TOOL_NAMES[Math.floor(r() * TOOL_NAMES.length)]!;
          const args: Record<string, unknown> = {};
          for (let k = Math.floor(r() * 4); k > 0; k--) {
            const value = VALUES[Math.floor(r() * VALUES.length)]!(r);
            if (value !== undefined) args[ARGUMENT_NAMES[Math.floor(r() * ARGUMENT_NAMES.length)]!] = value;
          }
          // Waits are short: the fuzz is about input, not patience.
          if (name === "request" || name === "ping") args.timeout = 1;
          batch.push(
            bridge.call(name, args).then(
              (result) => {
                answered++;
                if (result.isError) errors++;
              },
              () => {
                failedCalls++;
              },
            ),
          );
        }
        await Promise.all(batch);
      }
      const alive = !(await bridge.call("status")).isError;
      const { connection } = await bridge.status();
      return {
        id: this.id,
        title: this.title,
        figures: { calls: count, answered, toolErrors: errors, protocolErrors: failedCalls },
        targets: [
          { what: "the bridge keeps running and answering", met: alive },
          { what: "every call is answered (a result or a tool error)", met: answered + failedCalls === count && alive },
          { what: "the session is connected at the end (no filter the broker refuses makes it flap)", met: connection.state === "connected" },
        ],
      };
    } finally {
      await bridge.close().catch(() => undefined);
      await broker.stop();
    }
  },
};

function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}${key}`, value]));
}
