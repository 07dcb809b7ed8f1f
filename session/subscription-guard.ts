/**
 * Sends SUBSCRIBEs so that a filter the broker will not take cannot make the session
 * flap. A broker refuses a filter either with a failure code in its SUBACK, or (as
 * Mosquitto does with a filter it finds malformed) by dropping the connection. Such a
 * filter, sent again on every reconnect, would drop the session again and again.
 *
 * The rule:
 * - a SUBACK failure refuses the filter at once;
 * - a connection lost while one SUBSCRIBE alone was in flight refuses that filter;
 * - a connection lost while several were in flight (the batches sent on connect) makes
 *   them suspects: on the next connect they are sent one at a time, after the others,
 *   so the next loss names the filter.
 * A refused filter is never sent again by this session; the caller is told (a tool
 * error, or a reported problem for a filter from the session file).
 *
 * On connect the session's own filters (its inbox, the directory, the link) go first,
 * one SUBSCRIBE each; the lists' patterns follow in SUBSCRIBEs of up to SUBSCRIBE_BATCH
 * filters, one batch after another, so that thousands of patterns neither starve the
 * session's own subscriptions nor pile up unanswered SUBSCRIBEs. Filters that overlap
 * never share a SUBSCRIBE: under MQTT 5 each SUBSCRIBE has its own subscription
 * identifier, which is how the connection tells a broker's copy for an overlapping
 * subscription from a new message.
 */
import { filtersOverlap, hasWildcard } from "../core/topics.js";
import { ConnectionError, type Connection } from "./connection.js";

/** Filters per SUBSCRIBE on connect: well inside any broker's packet limit, few round trips for thousands. */
export const SUBSCRIBE_BATCH = 100;

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
   * Subscribes every filter after a connect: `first` one by one together, then `rest` in
   * batches, then the suspects one by one. `onRefused` hears of each filter refused on the
   * way; other failures (a timeout, a lost connection) go to `onFailed`, a batch at a
   * time, and are tried again on the next connect.
   */
  async subscribeAll(
    first: readonly string[],
    rest: readonly string[],
    onRefused: (refusal: SubscriptionRefused) => void,
    onFailed: (filters: readonly string[], error: Error) => void,
  ): Promise<void> {
    const trusted = (filters: readonly string[]): string[] => filters.filter((f) => !this.refusedFilters.has(f) && !this.suspects.has(f));
    const suspects = [...first, ...rest].filter((f) => this.suspects.has(f) && !this.refusedFilters.has(f));
    const report = (filter: string, err: unknown): void => {
      if (err instanceof SubscriptionRefused) onRefused(err);
      else onFailed([filter], err as Error);
    };
    await Promise.all(trusted(first).map((filter) => this.subscribe(filter).catch((err: unknown) => report(filter, err))));
    for (const batch of batchesOf(trusted(rest), SUBSCRIBE_BATCH)) {
      if (!this.connection.connected) return;
      await this.subscribeBatch(batch, onRefused, onFailed);
    }
    for (const suspect of suspects) {
      if (!this.connection.connected) return;
      await this.subscribe(suspect).catch((err: unknown) => report(suspect, err));
    }
  }

  private async subscribeBatch(
    batch: readonly string[],
    onRefused: (refusal: SubscriptionRefused) => void,
    onFailed: (filters: readonly string[], error: Error) => void,
  ): Promise<void> {
    const wasConnected = this.connection.connected;
    for (const filter of batch) this.inFlight.set(filter, { crowded: true });
    try {
      const refusals = await this.connection.subscribeEach(batch, this.qos());
      for (const filter of batch) {
        const reason = refusals.get(filter);
        if (reason) onRefused(this.refuse(filter, reason));
        else this.suspects.delete(filter);
      }
    } catch (err) {
      if (wasConnected && !this.connection.connected) for (const filter of batch) this.suspects.add(filter);
      onFailed(batch, err as Error);
    } finally {
      for (const filter of batch) this.inFlight.delete(filter);
    }
  }

  private refuse(filter: string, reason: string): SubscriptionRefused {
    this.suspects.delete(filter);
    this.refusedFilters.set(filter, reason);
    return new SubscriptionRefused(filter, reason);
  }
}

/** `filters` in batches of at most `size`, no two overlapping filters in one (two distinct names never overlap). */
export function batchesOf(filters: readonly string[], size: number): string[][] {
  const batches: Array<{ all: string[]; wildcards: string[] }> = [];
  for (const filter of filters) {
    const wildcard = hasWildcard(filter);
    const fits = (batch: { all: string[]; wildcards: string[] }): boolean =>
      batch.all.length < size && (wildcard ? batch.all : batch.wildcards).every((other) => !filtersOverlap(filter, other));
    let home = batches.find(fits);
    if (!home) batches.push((home = { all: [], wildcards: [] }));
    home.all.push(filter);
    if (wildcard) home.wildcards.push(filter);
  }
  return batches.map((batch) => batch.all);
}
