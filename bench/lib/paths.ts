/** Where the built files live, seen from dist/bench/lib. */
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
