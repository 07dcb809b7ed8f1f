/**
 * Buffer evictions, reported as `limit` events without flooding the hosts' logs.
 *
 * A busy watched topic can evict a message on every message it brings. The first
 * eviction after a quiet spell is reported at once; those that follow within
 * `intervalMs` are summed into one report at the end of that interval. Nothing is
 * lost: each report carries the counts since the previous one, and the buffer's
 * cumulative counts stay in the `status` tool (`evicted`).
 */
import type { EvictionCounts } from "../core/buffer.js";
import type { LimitHit } from "./types.js";

export const EVICTION_REPORT_INTERVAL_MS = 10_000;

function total(counts: EvictionCounts): number {
  return counts.perTopic + counts.age + counts.bytes;
}

export class EvictionReporter {
  private pending: EvictionCounts = { perTopic: 0, age: 0, bytes: 0 };
  private lastReport = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly report: (hit: LimitHit) => void,
    private readonly intervalMs = EVICTION_REPORT_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  add(counts: EvictionCounts): void {
    if (total(counts) === 0) return;
    this.pending.perTopic += counts.perTopic;
    this.pending.age += counts.age;
    this.pending.bytes += counts.bytes;
    if (this.timer) return;
    const wait = this.lastReport + this.intervalMs - this.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  /** Reports what is pending now (also on stop, so the last evictions are told). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const counts = this.pending;
    const n = total(counts);
    if (n === 0) return;
    this.pending = { perTopic: 0, age: 0, bytes: 0 };
    this.lastReport = this.now();
    this.report({
      limit: "buffer",
      message: `watched buffer evicted ${n} message(s) (per-topic cap ${counts.perTopic}, age ${counts.age}, byte bound ${counts.bytes})`,
      counts,
    });
  }
}
