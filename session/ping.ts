/**
 * The `ping` tool's probes: each is a message the session publishes to its own inbox and
 * waits to get back from the broker, to pass on as a channel notification. A probe that
 * does not come back within its timeout is reported, never left waiting.
 */
import { randomUUID } from "node:crypto";

/** Probes carry this correlation id prefix, so that a reply to a request is never taken for one. */
const PING_PREFIX = "ping-";

export type PingResult = { cameBack: true; id: string; roundTripMs: number } | { cameBack: false; id: string; waitedMs: number };

interface Waiting {
  sentAt: number;
  settle(result: PingResult): void;
  timer: NodeJS.Timeout;
}

export class PendingPings {
  private readonly waiting = new Map<string, Waiting>();

  /** A new probe's id and correlation id; `result` settles when it comes back or times out. */
  start(timeoutMs: number): { id: string; correlationId: string; result: Promise<PingResult> } {
    const id = randomUUID();
    const result = new Promise<PingResult>((resolve) => {
      const sentAt = Date.now();
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ cameBack: false, id, waitedMs: Date.now() - sentAt });
      }, timeoutMs);
      this.waiting.set(id, { sentAt, settle: resolve, timer });
    });
    return { id, correlationId: PING_PREFIX + id, result };
  }

  /** The probe with this correlation id came back: its id, or undefined when it is not one of ours. */
  settle(correlationId: string): string | undefined {
    if (!correlationId.startsWith(PING_PREFIX)) return undefined;
    const id = correlationId.slice(PING_PREFIX.length);
    const entry = this.waiting.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.waiting.delete(id);
    entry.settle({ cameBack: true, id, roundTripMs: Date.now() - entry.sentAt });
    return id;
  }

  /** Probes still waiting end as not come back (the session is stopping). */
  cancelAll(): void {
    for (const [id, entry] of this.waiting) {
      clearTimeout(entry.timer);
      entry.settle({ cameBack: false, id, waitedMs: Date.now() - entry.sentAt });
    }
    this.waiting.clear();
  }
}
