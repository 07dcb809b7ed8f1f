/**
 * The session's broker subscriptions: each filter subscribed while something needs it
 * (subscriptions.ts), sent so that a filter the broker refuses cannot make the session flap
 * (subscription-guard.ts). A refused filter loses every reason it had; `onRefused` hears which.
 */
import { validatePattern } from "../core/topics.js";
import type { Connection } from "./connection.js";
import { SessionError } from "./errors.js";
import { SubscriptionGuard, SubscriptionRefused } from "./subscription-guard.js";
import { SubscriptionNeeds, type SubscriptionReason } from "./subscriptions.js";
import type { LogLevel } from "./types.js";

/** What the session hears of its subscriptions. */
export interface SubscriberHooks {
  /** The broker will not take `refusal.filter`; `reasons` needed it, and no longer do. */
  refused(refusal: SubscriptionRefused, reasons: SubscriptionReason[]): void;
  log(level: LogLevel, message: string): void;
}

/** What the session needs for itself; subscribed first on every connect. */
const OWN_REASONS: ReadonlySet<SubscriptionReason> = new Set(["inbox", "directory", "link"]);

export class Subscriber {
  private readonly needs = new SubscriptionNeeds();
  private readonly guard: SubscriptionGuard;

  constructor(
    private readonly connection: Connection,
    qos: () => 0 | 1 | 2,
    private readonly hooks: SubscriberHooks,
  ) {
    this.guard = new SubscriptionGuard(connection, qos);
  }

  /** A filter needed from the start, subscribed on connect. */
  want(filter: string, reason: SubscriptionReason): void {
    this.needs.add(filter, reason);
  }

  filters(): string[] {
    return this.needs.filters();
  }

  reasons(filter: string): SubscriptionReason[] {
    return this.needs.reasons(filter);
  }

  /** After a connect: the session's own filters first, so its inbox and status work however long the lists are. */
  async subscribeAll(): Promise<void> {
    const filters = this.needs.filters();
    const own = filters.filter((f) => this.needs.reasons(f).some((reason) => OWN_REASONS.has(reason)));
    await this.guard.subscribeAll(
      own,
      filters.filter((f) => !own.includes(f)),
      (refusal) => this.refuse(refusal),
      (failed, err) => {
        const which = failed.length === 1 ? failed[0] : `${failed.length} filters (${failed[0]} …)`;
        this.hooks.log("warn", `subscribe ${which}: ${err.message} (tried again on the next connect)`);
      },
    );
  }

  /** Adds a reason for `filter`, subscribing it when it is new; rejects with SubscriptionRefused when the broker will not take it. */
  async need(filter: string, reason: SubscriptionReason): Promise<void> {
    const refused = this.guard.refusal(filter);
    if (refused) throw new SubscriptionRefused(filter, refused);
    if (!this.needs.add(filter, reason) || !this.connection.connected) return;
    try {
      await this.guard.subscribe(filter);
    } catch (err) {
      if (err instanceof SubscriptionRefused) this.needs.remove(filter, reason);
      throw err;
    }
  }

  /** Takes a reason away, unsubscribing the filter when it was the last. */
  async release(filter: string, reason: SubscriptionReason): Promise<void> {
    if (!this.needs.remove(filter, reason) || !this.connection.connected) return;
    await this.connection.unsubscribe([filter]);
  }

  /** An explicit subscription (the subscribe tool; not persisted). Rejects when the broker refuses it. */
  async subscribe(filter: string): Promise<void> {
    const invalid = validatePattern(filter);
    if (invalid) throw new SessionError(`Invalid topic filter: ${invalid}`);
    if (!this.connection.connected) throw new SessionError(`subscribe to ${filter} failed: not connected to the broker`);
    const refused = this.guard.refusal(filter);
    if (refused) throw new SessionError(new SubscriptionRefused(filter, refused).message);
    const added = this.needs.add(filter, "explicit");
    try {
      await this.guard.subscribe(filter);
    } catch (err) {
      if (added) this.needs.remove(filter, "explicit");
      throw err;
    }
  }

  /** Drops the explicit subscription; returns the reasons that keep the filter subscribed, if any. */
  async unsubscribe(filter: string): Promise<SubscriptionReason[]> {
    const invalid = validatePattern(filter);
    if (invalid) throw new SessionError(`Invalid topic filter: ${invalid}`);
    if (this.needs.remove(filter, "explicit")) {
      await this.connection.unsubscribe([filter]);
      return [];
    }
    return this.needs.reasons(filter);
  }

  private refuse(refusal: SubscriptionRefused): void {
    const reasons = this.needs.reasons(refusal.filter);
    for (const reason of reasons) this.needs.remove(refusal.filter, reason);
    this.hooks.refused(refusal, reasons);
  }
}
