/**
 * Pacing of admitted notifications, so that a busy admitted topic cannot fill Claude's context.
 *
 * Rules:
 * - Per topic, at most one notification per `intervalSeconds`. The first message on a quiet
 *   topic goes out at once and opens a window; messages inside the window wait, each one
 *   replacing the one before (which is held: it goes to the inbox buffer). When the window
 *   ends, the latest goes out carrying `updates`, the number of messages on the topic since
 *   its previous notification, and `firstAt`, when the first of them arrived; a new window opens.
 * - Identical consecutive values are collapsed: a message whose value equals the topic's last
 *   notified one is held instead of sent (and opens a window, so a steady stream of the same
 *   value stays quiet); its count is carried into the topic's next notification.
 * - Session-wide, at most `perMinute` notifications per minute (a fixed window opened by the
 *   first notification). Beyond it, the messages a notification would have carried are held
 *   and counted; when the minute ends, one digest says how many were held, on which topics.
 * - Urgent messages (requests, which carry `reply_to`, and messages on the session's own
 *   inbox, which are written to Claude) are never coalesced and never held; they count
 *   towards the minute's notifications.
 * - `intervalSeconds` 0 switches coalescing off; `perMinute` 0 switches the cap off.
 * - Nothing is dropped: every message offered comes back exactly once, as sent or as held.
 * - Time is an argument (`now`, epoch ms); nothing here has a timer. The host calls `due(now)`
 *   at `nextDue()`; `offer` first ends the offered topic's window and the minute when they are
 *   over, so a late timer changes only timing. `offer` and `nextDue` cost the same however
 *   many topics wait; `due` walks the waiting topics only when one of them is due.
 * - At most `maxTopics` topics are tracked; beyond it the least recently active one is forgotten
 *   (what it had waiting goes out first; its next message goes out as on a quiet topic).
 */

export interface PacingLimits {
  intervalSeconds: number;
  perMinute: number;
}

export interface Sent<T> {
  kind: "send";
  item: T;
  /** Messages this notification stands for (itself and those held since the topic's last one). */
  updates: number;
  firstAt: number;
}

export interface Held<T> {
  kind: "hold";
  item: T;
  reason: "coalesced" | "capped";
}

export interface Digest {
  kind: "digest";
  /** Messages held beyond the cap during the minute that ended. */
  held: number;
  /** Their topics, most held first. */
  topics: Array<{ topic: string; count: number }>;
  perMinute: number;
}

export type PacingAction<T> = Sent<T> | Held<T> | Digest;

interface TopicState<T> {
  windowEnds: number;
  /** The latest message waiting for the window's end. */
  pending: T | undefined;
  /** Messages since the topic's last notification, the pending one included. */
  count: number;
  firstAt: number;
  /** The value last notified, for collapsing repeats. */
  lastSent: T | undefined;
}

const MINUTE_MS = 60_000;
export const DEFAULT_MAX_TOPICS = 10_000;

export class NotificationPacer<T> {
  private readonly topics = new Map<string, TopicState<T>>();
  /** Topics with a message waiting, so `due` and `nextDue` need not walk them all. */
  private readonly waiting = new Set<string>();
  /** The earliest window end among the waiting topics (Infinity when none waits). */
  private earliest = Infinity;
  private capWindowEnds = 0;
  private capSent = 0;
  private capHeld = 0;
  private readonly capHeldTopics = new Map<string, number>();

  constructor(
    private limits: PacingLimits,
    private readonly sameValue: (a: T, b: T) => boolean,
    private readonly maxTopics = DEFAULT_MAX_TOPICS,
  ) {}

  get current(): PacingLimits {
    return { ...this.limits };
  }

  /** Messages waiting for their topic's window to end. */
  get pending(): number {
    return this.waiting.size;
  }

  offer(topic: string, item: T, now: number, urgent = false): Array<PacingAction<T>> {
    const actions: Array<PacingAction<T>> = [];
    if (this.capWindowEnds > 0 && now >= this.capWindowEnds) this.endCapWindow(now, actions);
    if (urgent) {
      this.openCapWindow(now, actions);
      this.capSent++;
      actions.push({ kind: "send", item, updates: 1, firstAt: now });
      return actions;
    }
    if (this.limits.intervalSeconds <= 0) {
      this.send(topic, item, 1, now, now, actions);
      return actions;
    }
    let state = this.topics.get(topic);
    if (state) {
      // Most recently active last, so the first entry is the one to forget.
      this.topics.delete(topic);
      this.topics.set(topic, state);
    } else {
      state = { windowEnds: 0, pending: undefined, count: 0, firstAt: now, lastSent: undefined };
      this.topics.set(topic, state);
      this.forgetOldTopics(now, actions);
    }
    if (state.pending !== undefined && now >= state.windowEnds) this.closeWindow(topic, state, now, actions);
    if (state.count === 0) state.firstAt = now;
    state.count++;
    if (now < state.windowEnds) {
      if (state.pending !== undefined) actions.push({ kind: "hold", item: state.pending, reason: "coalesced" });
      state.pending = item;
      this.wait(topic, state.windowEnds);
      return actions;
    }
    state.windowEnds = now + this.limits.intervalSeconds * 1000;
    if (state.lastSent !== undefined && this.sameValue(state.lastSent, item)) {
      actions.push({ kind: "hold", item, reason: "coalesced" });
      return actions;
    }
    this.sendFromTopic(topic, state, item, now, actions);
    return actions;
  }

  /** Runs what is due at `now`: windows that ended, and the minute's digest. */
  due(now: number): Array<PacingAction<T>> {
    const actions: Array<PacingAction<T>> = [];
    if (now >= this.earliest) {
      let earliest = Infinity;
      for (const topic of this.waiting) {
        const state = this.topics.get(topic);
        if (!state || state.pending === undefined) {
          this.waiting.delete(topic);
          continue;
        }
        if (now < state.windowEnds) {
          earliest = Math.min(earliest, state.windowEnds);
          continue;
        }
        this.closeWindow(topic, state, now, actions);
      }
      this.earliest = earliest;
    }
    if (this.capWindowEnds > 0 && now >= this.capWindowEnds) this.endCapWindow(now, actions);
    return actions;
  }

  /** When `due` next has something to do, or undefined when nothing waits. */
  nextDue(): number | undefined {
    const next = Math.min(this.waiting.size > 0 ? this.earliest : Infinity, this.capHeld > 0 ? this.capWindowEnds : Infinity);
    return next === Infinity ? undefined : next;
  }

  private wait(topic: string, windowEnds: number): void {
    this.waiting.add(topic);
    if (windowEnds < this.earliest) this.earliest = windowEnds;
  }

  /** New limits; what is waiting goes out now under them (held if the cap says so). */
  setLimits(limits: PacingLimits, now: number): Array<PacingAction<T>> {
    this.limits = { ...limits };
    return this.flush(now);
  }

  /** Everything waiting goes out now, and the digest of what the cap held (the session is stopping). */
  flush(now: number): Array<PacingAction<T>> {
    const actions: Array<PacingAction<T>> = [];
    for (const topic of this.waiting) {
      const state = this.topics.get(topic);
      if (state?.pending !== undefined) this.closeWindow(topic, state, now, actions);
    }
    this.waiting.clear();
    this.earliest = Infinity;
    if (this.capHeld > 0) this.endCapWindow(now, actions);
    return actions;
  }

  private closeWindow(topic: string, state: TopicState<T>, now: number, actions: Array<PacingAction<T>>): void {
    const item = state.pending as T;
    state.pending = undefined;
    this.waiting.delete(topic);
    state.windowEnds = now + this.limits.intervalSeconds * 1000;
    if (state.lastSent !== undefined && this.sameValue(state.lastSent, item)) {
      actions.push({ kind: "hold", item, reason: "coalesced" });
      return;
    }
    this.sendFromTopic(topic, state, item, now, actions);
  }

  private sendFromTopic(topic: string, state: TopicState<T>, item: T, now: number, actions: Array<PacingAction<T>>): void {
    const { count, firstAt } = state;
    state.count = 0;
    if (this.send(topic, item, count, firstAt, now, actions)) state.lastSent = item;
  }

  /** Sends unless the minute's cap is reached; then holds. True when sent. */
  private send(topic: string, item: T, updates: number, firstAt: number, now: number, actions: Array<PacingAction<T>>): boolean {
    this.openCapWindow(now, actions);
    const cap = this.limits.perMinute;
    if (cap > 0 && this.capSent >= cap) {
      this.capHeld += updates;
      this.capHeldTopics.set(topic, (this.capHeldTopics.get(topic) ?? 0) + updates);
      actions.push({ kind: "hold", item, reason: "capped" });
      return false;
    }
    this.capSent++;
    actions.push({ kind: "send", item, updates, firstAt });
    return true;
  }

  private openCapWindow(now: number, actions: Array<PacingAction<T>>): void {
    if (this.capWindowEnds > 0 && now >= this.capWindowEnds) this.endCapWindow(now, actions);
    if (this.capWindowEnds === 0) {
      this.capWindowEnds = now + MINUTE_MS;
      this.capSent = 0;
    }
  }

  private endCapWindow(now: number, actions: Array<PacingAction<T>>): void {
    const held = this.capHeld;
    const topics = [...this.capHeldTopics].map(([topic, count]) => ({ topic, count })).sort((a, b) => b.count - a.count);
    this.capWindowEnds = 0;
    this.capHeld = 0;
    this.capHeldTopics.clear();
    if (held === 0) return;
    // The digest is the first notification of the next minute.
    this.capWindowEnds = now + MINUTE_MS;
    this.capSent = 1;
    actions.push({ kind: "digest", held, topics, perMinute: this.limits.perMinute });
  }

  /** The least recently active topics go; one still waiting sends what it has first. */
  private forgetOldTopics(now: number, actions: Array<PacingAction<T>>): void {
    for (const [topic, state] of this.topics) {
      if (this.topics.size <= this.maxTopics) return;
      if (state.pending !== undefined) this.closeWindow(topic, state, now, actions);
      this.topics.delete(topic);
    }
  }
}
