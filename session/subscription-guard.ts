/**
 * Sends SUBSCRIBEs so that a filter the broker will not take cannot make the session
 * flap. A broker refuses a filter either with a failure code in its SUBACK, or (as
 * Mosquitto does with a filter it finds malformed) by dropping the connection. Such a
 * filter, sent again on every reconnect, would drop the session again and again.
 *
 * The rule:
 * - a SUBACK failure refuses the filter at once;
 * - a connection lost while one SUBSCRIBE alone was in flight refuses that filter;
 * - a connection lost while several were in flight (the batch sent on connect) makes
 *   them suspects: on the next connect they are sent one at a time, after the others,
 *   so the next loss names the filter.
 * A refused filter is never sent again by this session; the caller is told (a tool
 * error, or a reported problem for a filter from the session file).
 */
import { ConnectionError, type Connection } from "./connection.js";

export class SubscriptionRefused extends Error {
  constructor(readonly filter: string, readonly reason: string) {
    super(`the broker refused the subscription to ${filter}: ${reason}`);
  }
}

export class SubscriptionGuard {
  /** The SUBSCRIBEs awaiting their SUBACK, each marked once another was sent beside it. */
  private readonly inFlight = new Map<string, { crowded: boolean }>();
  private readonly suspects = new Set<string>();
  private readonly refusedFilters = new Map<string, string>();

  constructor(private readonly connection: Connection, private readonly qos: () => 0 | 1 | 2) {}

  /** Why the broker refused `filter` in this session, if it did. */
  refusal(filter: string): string | undefined {
    return this.refusedFilters.get(filter);
  }

  refused(): Array<{ filter: string; reason: string }> {
    return [...this.refusedFilters].map(([filter, reason]) => ({ filter, reason }));
  }

  /** Subscribes one filter; rejects with SubscriptionRefused when the broker will not take it. */
  async subscribe(filter: string): Promise<void> {
    const earlier = this.refusedFilters.get(filter);
    if (earlier) throw new SubscriptionRefused(filter, earlier);
    // Only a connection that was there when the SUBSCRIBE went out can be lost over it.
    const wasConnected = this.connection.connected;
    const mark = { crowded: this.inFlight.size > 0 };
    for (const other of this.inFlight.values()) other.crowded = true;
    this.inFlight.set(filter, mark);
    try {
      await this.connection.subscribe([filter], this.qos());
      this.suspects.delete(filter);
    } catch (err) {
      if (err instanceof ConnectionError && err.refused) throw this.refuse(filter, err.message);
      if (wasConnected && !this.connection.connected) {
        if (!mark.crowded) throw this.refuse(filter, "the broker closed the connection right after the SUBSCRIBE");
        this.suspects.add(filter);
      }
      throw err;
    } finally {
      if (this.inFlight.get(filter) === mark) this.inFlight.delete(filter);
    }
  }

  /**
   * Subscribes every filter after a connect: the trusted ones together, then the
   * suspects one by one. `onRefused` hears of each filter refused on the way; other
   * failures (a timeout, a lost connection) go to `onFailed` and are tried again on
   * the next connect.
   */
  async subscribeAll(
    filters: readonly string[],
    onRefused: (refusal: SubscriptionRefused) => void,
    onFailed: (filter: string, error: Error) => void,
  ): Promise<void> {
    const wanted = filters.filter((f) => !this.refusedFilters.has(f));
    const report = (filter: string, err: unknown): void => {
      if (err instanceof SubscriptionRefused) onRefused(err);
      else onFailed(filter, err as Error);
    };
    const trusted = wanted.filter((f) => !this.suspects.has(f));
    const results = await Promise.allSettled(trusted.map((f) => this.subscribe(f)));
    results.forEach((result, i) => {
      if (result.status === "rejected") report(trusted[i]!, result.reason);
    });
    for (const suspect of wanted.filter((f) => this.suspects.has(f))) {
      if (!this.connection.connected) return;
      await this.subscribe(suspect).catch((err: unknown) => report(suspect, err));
    }
  }

  private refuse(filter: string, reason: string): SubscriptionRefused {
    this.suspects.delete(filter);
    this.refusedFilters.set(filter, reason);
    return new SubscriptionRefused(filter, reason);
  }
}
