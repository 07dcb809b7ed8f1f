/**
 * Runs a task at most once per interval, soon after it is asked for: a burst of
 * requests becomes one run, and a run always follows the last request, so the final
 * state is never left unsent. Node statuses and the sidebar's snapshots go through it,
 * so that a busy session doesn't send the editor an event per message.
 */
export class Throttle {
  private timer: NodeJS.Timeout | undefined;
  private lastRun = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly task: () => void,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  request(): void {
    if (this.closed) {
      // A last run while the owner closes: at once, no timer left behind.
      this.task();
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastRun + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastRun = this.now();
      this.task();
    }, wait);
  }

  /** Drops a pending run; from now on each request runs at once. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
