/**
 * `startup`: from spawning the bridge to its answer to MCP `initialize`, as Claude
 * Code sees it at the start of every session, against a bare SDK server script
 * started the same way (node, stdio, the SDK's Client). The two alternate, so both
 * see the same machine; the median of the runs counts.
 */
import { join } from "node:path";
import { startBroker } from "../../test/helpers/broker.js";
import { startBridge } from "../lib/bridge.js";
import { paths } from "../lib/paths.js";
import { ratioOf, type BenchResult, type Benchmark } from "../lib/result.js";
import { median, percentile, round } from "../lib/stats.js";

const BARE_SERVER = join(paths.dist, "bench", "baseline", "bare-server.js");

export const startup: Benchmark = {
  id: "startup",
  summary: "bridge spawn → initialize answered, vs a bare SDK server",
  async run(ctx) {
    const broker = await startBroker();
    const runs = ctx.quick ? 5 : 15;
    const bridgeMs: number[] = [];
    const bareMs: number[] = [];
    try {
      // One unmeasured start of each warms the file cache.
      for (let i = -1; i < runs; i++) {
        const bridge = await startBridge({ brokerUrl: broker.url, name: "bench", prefix: `bench${i + 1}` });
        await bridge.stop();
        const bare = await startBridge({ brokerUrl: broker.url, name: "bench", prefix: "bench", script: BARE_SERVER });
        await bare.stop();
        if (i >= 0) {
          bridgeMs.push(bridge.startupMs);
          bareMs.push(bare.startupMs);
        }
      }
    } finally {
      await broker.stop();
    }
    const value = median(bridgeMs);
    const baseline = median(bareMs);
    ctx.log(`startup: bridge ${value.toFixed(1)} ms, bare SDK server ${baseline.toFixed(1)} ms`);
    const result: BenchResult = {
      name: "startup",
      value: round(value, 1),
      unit: "ms",
      baseline: round(baseline, 1),
      ratio: round(ratioOf(value, baseline), 2),
      target: "report only",
      met: null,
      detail: {
        runs,
        bridge: { medianMs: round(value, 1), p90Ms: round(percentile(bridgeMs, 90), 1), allMs: bridgeMs.map((ms) => round(ms, 1)) },
        bare: { medianMs: round(baseline, 1), p90Ms: round(percentile(bareMs, 90), 1), allMs: bareMs.map((ms) => round(ms, 1)) },
        measured: "spawn of `node dist/mcp-bridge/main.js` until the SDK Client's connect() resolves (initialize answered)",
      },
    };
    return [result];
  },
};
