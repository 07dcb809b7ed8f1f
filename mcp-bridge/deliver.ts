/**
 * Admitted messages → `notifications/claude/channel`. Messages that arrive before
 * Claude Code has finished the MCP handshake are held (up to a bound) and sent, in
 * order, once it has; a notification that cannot be written is logged and counted,
 * never thrown, because a broken pipe to Claude must not take the session down.
 */
import type { ChannelNotification } from "../session/notification.js";
import type { Logger } from "./log.js";

export interface DeliveryStats {
  /** Written to Claude Code (which does not acknowledge them). */
  sent: number;
  /** Could not be written. */
  failed: number;
  /** Held while the MCP handshake was not finished. */
  held: number;
  /** Dropped because too many were held before the handshake finished. */
  overflow: number;
  /** When the last one was written. */
  lastSentAt?: string;
}

/** Ping probes remembered as written, for a `ping` answer that arrives after its notification. */
const REMEMBERED_PINGS = 16;

export const DEFAULT_HOLD_LIMIT = 1000;

export class ChannelDelivery {
  private readonly counts: DeliveryStats = { sent: 0, failed: 0, held: 0, overflow: 0 };
  private readonly queue: ChannelNotification[] = [];
  private open = false;
  private readonly pingsWritten = new Map<string, number>();
  private readonly pingWaiters = new Map<string, (writtenAt: number) => void>();

  constructor(
    private readonly send: (notification: ChannelNotification) => Promise<void>,
    private readonly log: Logger,
    private readonly holdLimit = DEFAULT_HOLD_LIMIT,
  ) {}

  /** Claude Code is ready for notifications: send what was held, then everything as it comes. */
  ready(): void {
    if (this.open) return;
    this.open = true;
    for (const notification of this.queue.splice(0)) this.write(notification);
    this.counts.held = 0;
  }

  deliver(notification: ChannelNotification): void {
    if (this.open) {
      this.write(notification);
      return;
    }
    if (this.queue.length >= this.holdLimit) {
      this.counts.overflow++;
      this.log("warn", `channel notification on ${notification.meta.topic ?? "?"} dropped: ${this.holdLimit} are already waiting for Claude Code to connect`);
      return;
    }
    this.queue.push(notification);
    this.counts.held = this.queue.length;
  }

  stats(): DeliveryStats {
    return { ...this.counts };
  }

  /** When the ping probe `id` was written to Claude Code; undefined when it was not within `timeoutMs`. */
  pingWritten(id: string, timeoutMs: number): Promise<number | undefined> {
    const written = this.pingsWritten.get(id);
    if (written !== undefined) return Promise.resolve(written);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pingWaiters.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.pingWaiters.set(id, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  private pingDone(id: string, at: number): void {
    this.pingsWritten.set(id, at);
    if (this.pingsWritten.size > REMEMBERED_PINGS) this.pingsWritten.delete(this.pingsWritten.keys().next().value as string);
    const waiter = this.pingWaiters.get(id);
    this.pingWaiters.delete(id);
    waiter?.(at);
  }

  private write(notification: ChannelNotification): void {
    this.send(notification).then(
      () => {
        this.counts.sent++;
        const now = Date.now();
        this.counts.lastSentAt = new Date(now).toISOString();
        const ping = notification.meta.ping;
        if (ping !== undefined) this.pingDone(ping, now);
      },
      (err: unknown) => {
        this.counts.failed++;
        const reason = err instanceof Error ? err.message : String(err);
        this.log("error", `channel notification on ${notification.meta.topic ?? "?"} could not be sent: ${reason}`);
      },
    );
  }
}
