/** Where the built files live, seen from dist/bench/lib, and how the plugin starts the bridge. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const DIST = join(__dirname, "..", "..");

export const paths = {
  dist: DIST,
  /** `BENCH_BRIDGE_MAIN` measures another build of the bridge (e.g. the plugin bundle). */
  bridgeMain: process.env.BENCH_BRIDGE_MAIN ?? join(DIST, "mcp-bridge", "main.js"),
  /** The single-file bridge the Claude Code plugin starts (committed, built by `npm run bundle`). */
  bundle: join(DIST, "..", "plugin", "bridge.cjs"),
  probe: join(DIST, "bench", "lib", "probe.js"),
  /** The source tree (results are written beside the sources, not into dist/). */
  benchSource: join(DIST, "..", "bench"),
};

/**
 * The Node.js options the Claude Code plugin starts the bridge with: the arguments of
 * `plugin/.mcp.json` before the script. The benches start the bridge the same way.
 */
export function pluginNodeArgs(): string[] {
  const mcp = JSON.parse(readFileSync(join(DIST, "..", "plugin", ".mcp.json"), "utf8")) as { mcpServers?: Record<string, { args?: unknown }> };
  const args = Object.values(mcp.mcpServers ?? {})[0]?.args;
  if (!Array.isArray(args)) return [];
  return args.slice(0, -1).filter((a): a is string => typeof a === "string" && a.startsWith("-"));
}
