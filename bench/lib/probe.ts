/**
 * Preloaded into a process under test (`node --require probe.js main.js`): samples
 * the process's event-loop delay (perf_hooks.monitorEventLoopDelay) and RSS every
 * `BENCH_PROBE_MS` (default 250 ms) and appends one JSON line per sample to
 * `BENCH_PROBE_FILE`. It changes nothing else in the process, so the product needs
 * no diagnostics switch of its own. Each line covers the window since the last one.
 */
import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface ProbeSample {
  /** Epoch ms at the end of the window. */
  t: number;
  rss: number;
  heapUsed: number;
  maxDelayMs: number;
  p99DelayMs: number;
}

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const everyMs = Number(process.env.BENCH_PROBE_MS ?? 250);
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    const memory = process.memoryUsage();
    const sample: ProbeSample = {
      t: Date.now(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      maxDelayMs: histogram.max / 1e6,
      p99DelayMs: histogram.percentile(99) / 1e6,
    };
    histogram.reset();
    appendFileSync(file, `${JSON.stringify(sample)}\n`);
  }, everyMs);
  timer.unref();
}
