/**
 * The session's admitted stream paced for Claude (core/coalesce.ts does the deciding):
 * the owner's limits are bounds (a shortest interval, a largest per-minute cap), Claude may
 * choose within them with the `config` tool, and one timer runs while anything waits.
 * What is sent goes to the host as a notification; what is held goes to the inbox buffer.
 */
import { NotificationPacer, type Digest, type PacingAction, type PacingLimits } from "../core/coalesce.js";
import { DEFAULT_COALESCE_INTERVAL_SECONDS, DEFAULT_NOTIFY_PER_MINUTE } from "../core/limits.js";
import type { AdmittedMessage } from "./types.js";

export type { PacingLimits };

/** Defaults of the owner's bounds (claude-session node, MQTT_COALESCE_INTERVAL / MQTT_NOTIFY_MAX_PER_MINUTE). */
export const DEFAULT_PACING: PacingLimits = { intervalSeconds: DEFAULT_COALESCE_INTERVAL_SECONDS, perMinute: DEFAULT_NOTIFY_PER_MINUTE };

/** Claude's choices, as the session file keeps them. */
export interface PacingChoice {
  coalesceInterval?: number;
  notifyPerMinute?: number;
}

export interface PacingOutput {
  notify(message: AdmittedMessage): void;
  hold(message: AdmittedMessage, reason: "coalesced" | "capped"): void;
  digest(digest: Digest): void;
}

export interface PacingStatus {
  intervalSeconds: number;
  perMinute: number;
  owner: { minIntervalSeconds: number; maxPerMinute: number };
  notified: number;
  coalesced: number;
  heldOverCap: number;
  digests: number;
  waiting: number;
  lastNotifiedAt?: string;
}

export class PacingError extends Error {}

const TICK_MS = 20;

const sameValue = (a: AdmittedMessage, b: AdmittedMessage): boolean => a.content === b.content && a.sender === b.sender && a.kind === b.kind;

/** Claude's pacing choices among these fields, only those set. */
export function pacingChoice(fields: PacingChoice): PacingChoice {
  const { coalesceInterval, notifyPerMinute } = fields;
  return {
    ...(coalesceInterval !== undefined ? { coalesceInterval } : {}),
    ...(notifyPerMinute !== undefined ? { notifyPerMinute } : {}),
  };
}

/** The notification that stands for a minute's admitted messages held over the cap; it comes from the session's own inbox. */
export function digestMessage(digest: Digest, from: { inbox: string; name: string }): AdmittedMessage {
  const shown = digest.topics.slice(0, 5).map((t) => `${t.topic} (${t.count})`);
  if (digest.topics.length > shown.length) shown.push(`${digest.topics.length - shown.length} more topic(s)`);
  return {
    topic: from.inbox,
    sender: from.name,
    content: `${digest.held} more admitted message(s) held, over ${digest.perMinute} notifications a minute: ${shown.join(", ")}. Read them with inbox.`,
    kind: "text",
    receivedAt: Date.now(),
    pattern: "(digest)",
    via: "mqtt",
    held: digest.held,
  };
}

/** Claude's choice within the owner's bounds (0 per minute means no cap). */
export function effectiveLimits(owner: PacingLimits, choice: PacingChoice): PacingLimits {
  const intervalSeconds = Math.max(owner.intervalSeconds, choice.coalesceInterval ?? owner.intervalSeconds);
  const chosen = choice.notifyPerMinute ?? owner.perMinute;
  const perMinute = owner.perMinute === 0 ? chosen : chosen === 0 ? owner.perMinute : Math.min(owner.perMinute, chosen);
  return { intervalSeconds, perMinute };
}

/** Why Claude may not choose this, or undefined. */
export function choiceProblem(owner: PacingLimits, choice: PacingChoice): string | undefined {
  if (choice.coalesceInterval !== undefined && choice.coalesceInterval < owner.intervalSeconds) {
    return `coalesceInterval ${choice.coalesceInterval} is below the owner's minimum of ${owner.intervalSeconds} s (set on the claude-session node or with MQTT_COALESCE_INTERVAL)`;
  }
  const perMinute = choice.notifyPerMinute;
  if (perMinute !== undefined && owner.perMinute > 0 && (perMinute === 0 || perMinute > owner.perMinute)) {
    return `notifyPerMinute ${perMinute} is above the owner's maximum of ${owner.perMinute} (set on the claude-session node or with MQTT_NOTIFY_MAX_PER_MINUTE)`;
  }
  return undefined;
}

export class AdmittedPacing {
  private readonly pacer: NotificationPacer<AdmittedMessage>;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private lastRun = 0;
  private stopped = false;
  private readonly counts = { notified: 0, coalesced: 0, heldOverCap: 0, digests: 0 };
  private lastNotifiedAt: number | undefined;

  constructor(
    private readonly owner: PacingLimits,
    choice: PacingChoice,
    private readonly output: PacingOutput,
  ) {
    this.pacer = new NotificationPacer(effectiveLimits(owner, choice), sameValue);
  }

  /** `addressed`: a message on the session's own inbox, written to Claude, which is never coalesced (as a request is not). */
  offer(message: AdmittedMessage, addressed = false): void {
    if (this.stopped) return this.output.notify(message);
    this.run(this.pacer.offer(message.topic, message, Date.now(), addressed || message.reply_to !== undefined));
    // A topic that starts waiting may end its window before the timer that is set.
    const next = this.pacer.nextDue();
    if (next !== undefined && (this.timer === undefined || next < this.timerAt)) this.arm();
  }

  /** Sets Claude's choice (checked against the owner's bounds); what waits goes out under the new limits. */
  choose(choice: PacingChoice): PacingLimits {
    const problem = choiceProblem(this.owner, choice);
    if (problem) throw new PacingError(problem);
    const limits = effectiveLimits(this.owner, choice);
    this.run(this.pacer.setLimits(limits, Date.now()));
    this.arm();
    return limits;
  }

  status(): PacingStatus {
    const limits = this.pacer.current;
    return {
      intervalSeconds: limits.intervalSeconds,
      perMinute: limits.perMinute,
      owner: { minIntervalSeconds: this.owner.intervalSeconds, maxPerMinute: this.owner.perMinute },
      ...this.counts,
      waiting: this.pacer.pending,
      ...(this.lastNotifiedAt !== undefined ? { lastNotifiedAt: new Date(this.lastNotifiedAt).toISOString() } : {}),
    };
  }

  /** What waits goes out now; later messages are passed on as they come. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.run(this.pacer.flush(Date.now()));
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.pacer.nextDue();
    if (next === undefined || this.stopped) return;
    // Windows of many topics end a few ms apart: one run of `due` every TICK_MS at most takes them together.
    this.timerAt = Math.max(next, this.lastRun + TICK_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastRun = Date.now();
      this.run(this.pacer.due(this.lastRun));
      this.arm();
    }, Math.max(0, this.timerAt - Date.now()));
  }

  private run(actions: Array<PacingAction<AdmittedMessage>>): void {
    for (const action of actions) {
      if (action.kind === "send") {
        this.counts.notified++;
        this.lastNotifiedAt = Date.now();
        const { item, updates, firstAt } = action;
        this.output.notify(updates > 1 ? { ...item, updates, firstAt } : item);
      } else if (action.kind === "hold") {
        if (action.reason === "coalesced") this.counts.coalesced++;
        else this.counts.heldOverCap++;
        this.output.hold(action.item, action.reason);
      } else {
        this.counts.digests++;
        this.counts.notified++;
        this.lastNotifiedAt = Date.now();
        this.output.digest(action);
      }
    }
  }
}
