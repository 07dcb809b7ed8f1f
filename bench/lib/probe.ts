/**
 * Preloaded into a process under test (`node --require probe.js main.js`): samples
 * the process's event-loop delay (perf_hooks.monitorEventLoopDelay) and RSS every
 * `BENCH_PROBE_MS` (default 250 ms) and appends one JSON line per sample to
 * `BENCH_PROBE_FILE`. It changes nothing else in the process, so the product needs
 * no diagnostics switch of its own. Each line covers the window since the last one.
 */
import { appendFileSync } from "node:fs";
import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";

export interface ProbeSample {
  /** Epoch ms at the end of the window. */
  t: number;
  rss: number;
  heapUsed: number;
  maxDelayMs: number;
  p99DelayMs: number;
  /**
   * The longest gap between two ticks of a 5 ms timer in the window, and the share of
   * it the process spent on the CPU: near 1 means its own work blocked the loop; near
   * 0 means it was waiting (descheduled by the OS, or blocked in a system call).
   */
  maxGapMs: number;
  maxGapCpuShare: number;
  /** The longest garbage-collection pause in the window, and its kind. */
  maxGcMs: number;
  maxGcKind: string;
  gcMs: number;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const everyMs = Number(process.env.BENCH_PROBE_MS ?? 250);
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let maxGcMs = 0;
  let maxGcKind = "";
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      if (entry.duration > maxGcMs) {
        maxGcMs = entry.duration;
        const detail: unknown = (entry as { detail?: unknown }).detail;
        const kind = typeof detail === "object" && detail !== null ? (detail as { kind?: unknown }).kind : undefined;
        maxGcKind = (typeof kind === "number" ? GC_KINDS[kind] : undefined) ?? "other";
      }
    }
  }).observe({ entryTypes: ["gc"] });
  let maxGapMs = 0;
  let maxGapCpuShare = 0;
  let lastTick = performance.now();
  let lastCpu = process.cpuUsage();
  const ticker = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const gap = now - lastTick;
    if (gap > maxGapMs) {
      maxGapMs = gap;
      maxGapCpuShare = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 / gap;
    }
    lastTick = now;
    lastCpu = cpu;
  }, 5);
  ticker.unref();
  const timer = setInterval(() => {
    const memory = process.memoryUsage();
    const sample: ProbeSample = {
      t: Date.now(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      maxDelayMs: histogram.max / 1e6,
      p99DelayMs: histogram.percentile(99) / 1e6,
      maxGapMs,
      maxGapCpuShare,
      maxGcMs,
      maxGcKind,
      gcMs,
    };
    maxGapMs = 0;
    maxGapCpuShare = 0;
    histogram.reset();
    maxGcMs = 0;
    maxGcKind = "";
    gcMs = 0;
    appendFileSync(file, `${JSON.stringify(sample)}\n`);
  }, everyMs);
  timer.unref();
}
