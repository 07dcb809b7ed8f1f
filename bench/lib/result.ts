/** What every benchmark reports, and how a run reads on screen. */

export interface BenchResult {
  /** Stable name, e.g. "gate classify 10k patterns". */
  name: string;
  /** The product's measurement. */
  value: number;
  unit: string;
  /** The same measurement of the baseline, taken in the same run. */
  baseline: number;
  /** value / baseline (for latencies, above 1 means slower than the baseline). */
  ratio: number;
  /** The target in words, e.g. "ratio ≥ 20 and ≥ 1,000,000 /s"; "report only" when there is none. */
  target: string;
  /** Whether the target was met; null when there is no target. */
  met: boolean | null;
  /** Sizes, percentiles, counts: whatever a reader needs to judge the numbers. */
  detail?: Record<string, unknown>;
}

export interface BenchContext {
  quick: boolean;
  /** Progress lines (stderr), so a long run shows it is alive. */
  log(line: string): void;
}

export interface Benchmark {
  /** What to type on the command line to run only this one. */
  id: string;
  /** One line on what is measured against what. */
  summary: string;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

export function ratioOf(value: number, baseline: number): number {
  return baseline === 0 ? Number.NaN : value / baseline;
}
