/**
 * `startup`: from spawning the bridge to its answer to MCP `initialize`, as Claude
 * Code sees it at the start of every session, against a bare SDK server script
 * started the same way (node, stdio, the SDK's Client). Measured for the built
 * bridge (`dist/mcp-bridge/main.js`) and for the single-file bundle the Claude Code
 * plugin actually starts (`plugin/bridge.cjs`). The three alternate run by run, so
 * all see the same machine; the median counts.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startBroker } from "../../test/helpers/broker.js";
import { startBridge } from "../lib/bridge.js";
import { paths, pluginNodeArgs } from "../lib/paths.js";
import { ratioOf, type BenchResult, type Benchmark } from "../lib/result.js";
import { median, percentile, round } from "../lib/stats.js";

const BARE_SERVER = join(paths.dist, "bench", "baseline", "bare-server.js");

interface Contender {
  name: string;
  script: string;
  nodeArgs: string[];
  ms: number[];
}

function row(name: string, measured: Contender, bare: Contender, runs: number, what: string): BenchResult {
  const value = median(measured.ms);
  const baseline = median(bare.ms);
  return {
    name,
    value: round(value, 1),
    unit: "ms",
    baseline: round(baseline, 1),
    ratio: round(ratioOf(value, baseline), 2),
    target: "report only",
    met: null,
    detail: {
      runs,
      measured: what,
      baseline: "spawn of a bare McpServer script on stdio until initialize is answered",
      p90Ms: round(percentile(measured.ms, 90), 1),
      baselineP90Ms: round(percentile(bare.ms, 90), 1),
      allMs: measured.ms.map((ms) => round(ms, 1)),
      baselineAllMs: bare.ms.map((ms) => round(ms, 1)),
    },
  };
}

export const startup: Benchmark = {
  id: "startup",
  summary: "bridge spawn → initialize answered (built and bundled), vs a bare SDK server",
  async run(ctx) {
    const broker = await startBroker();
    const runs = ctx.quick ? 7 : 21;
    // The bridge starts with the plugin's Node.js options; the bare server with none.
    const bare: Contender = { name: "bare", script: BARE_SERVER, nodeArgs: [], ms: [] };
    const built: Contender = { name: "built", script: paths.bridgeMain, nodeArgs: pluginNodeArgs(), ms: [] };
    const bundle: Contender = { name: "bundle", script: paths.bundle, nodeArgs: pluginNodeArgs(), ms: [] };
    const contenders = existsSync(paths.bundle) ? [built, bundle, bare] : [built, bare];
    try {
      // One unmeasured start of each warms the file cache.
      for (let i = -1; i < runs; i++) {
        for (const c of contenders) {
          const running = await startBridge({ brokerUrl: broker.url, name: "bench", prefix: `bench${i + 1}`, script: c.script, nodeArgs: c.nodeArgs });
          await running.stop();
          if (i >= 0) c.ms.push(running.startupMs);
        }
      }
    } finally {
      await broker.stop();
    }
    ctx.log(`startup: built ${median(built.ms).toFixed(1)} ms, bundle ${median(bundle.ms).toFixed(1)} ms, bare SDK server ${median(bare.ms).toFixed(1)} ms`);
    const results = [row("startup", built, bare, runs, "spawn of `node dist/mcp-bridge/main.js` until the SDK Client's connect() resolves (initialize answered)")];
    if (bundle.ms.length > 0) {
      results.push(row("startup (plugin bundle)", bundle, bare, runs, "spawn of `node plugin/bridge.cjs` (what the Claude Code plugin starts) until initialize is answered"));
    }
    return results;
  },
};
