/**
 * Broker subscriptions kept in step with what needs them. A filter is subscribed
 * while at least one reason holds (the own inbox, an admitted or watched pattern,
 * an explicit `subscribe`, the session directory) and unsubscribed only when the
 * last reason goes away.
 */
export type SubscriptionReason = "inbox" | "admitted" | "watched" | "explicit" | "directory" | "link";

export class SubscriptionNeeds {
  private readonly needs = new Map<string, Set<SubscriptionReason>>();

  /** Returns true when the filter was not needed before (it must be subscribed now). */
  add(filter: string, reason: SubscriptionReason): boolean {
    const reasons = this.needs.get(filter);
    if (reasons) {
      reasons.add(reason);
      return false;
    }
    this.needs.set(filter, new Set([reason]));
    return true;
  }

  /** Returns true when no reason is left (the filter must be unsubscribed now). */
  remove(filter: string, reason: SubscriptionReason): boolean {
    const reasons = this.needs.get(filter);
    if (!reasons) return false;
    reasons.delete(reason);
    if (reasons.size > 0) return false;
    this.needs.delete(filter);
    return true;
  }

  reasons(filter: string): SubscriptionReason[] {
    return [...(this.needs.get(filter) ?? [])];
  }

  filters(): string[] {
    return [...this.needs.keys()];
  }
}
