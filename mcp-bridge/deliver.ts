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
}

export const DEFAULT_HOLD_LIMIT = 1000;

export class ChannelDelivery {
  private readonly counts: DeliveryStats = { sent: 0, failed: 0, held: 0, overflow: 0 };
  private readonly queue: ChannelNotification[] = [];
  private open = false;

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

  private write(notification: ChannelNotification): void {
    this.send(notification).then(
      () => {
        this.counts.sent++;
      },
      (err: unknown) => {
        this.counts.failed++;
        const reason = err instanceof Error ? err.message : String(err);
        this.log("error", `channel notification on ${notification.meta.topic ?? "?"} could not be sent: ${reason}`);
      },
    );
  }
}
