/**
 * The gate: which tier an inbound message (topic + claimed sender) falls in.
 *
 * Rules, in order:
 * 1. Own echo: a sender equal to this session's name is dropped (`echo`). This
 *    needs both a name and a sender; a payload that named no sender is never an echo.
 * 2. Mute beats admit beats watch: the first of muted, admitted, watched holding a
 *    matching pattern decides, and the decision carries that pattern.
 * 3. Nothing matched: dropped (`unmatched`).
 *
 * A pattern matches as `PatternIndex` says: a wildcard-free pattern equal to the
 * sender, the exact topic, or the topic by MQTT filter rules. Unlike the reference,
 * `#` and a leading `+` never match `$` topics, invalid patterns are refused, and a
 * missing sender matches nothing (a session named `unknown` still gets plain text).
 */
import { PatternIndex } from "./pattern-index.js";

export type ListName = "admitted" | "watched" | "muted";
export type DropReason = "muted" | "echo" | "unmatched";
export type GateDecision =
  | { tier: "admitted"; pattern: string }
  | { tier: "watched"; pattern: string }
  | { tier: "dropped"; reason: DropReason; pattern?: string };

export interface GateLists {
  admitted: readonly string[];
  watched: readonly string[];
  muted: readonly string[];
}

export class Gate {
  private readonly lists: Record<ListName, PatternIndex>;

  /** Throws PatternError naming the first invalid pattern. An empty `ownName` counts as none. */
  constructor(
    lists: GateLists,
    private readonly ownName?: string,
  ) {
    this.lists = {
      admitted: new PatternIndex(lists.admitted),
      watched: new PatternIndex(lists.watched),
      muted: new PatternIndex(lists.muted),
    };
  }

  /** False when the list already holds `pattern`; throws PatternError if it is invalid. */
  add(list: ListName, pattern: string): boolean {
    return this.lists[list].add(pattern);
  }

  delete(list: ListName, pattern: string): boolean {
    return this.lists[list].delete(pattern);
  }

  has(list: ListName, pattern: string): boolean {
    return this.lists[list].has(pattern);
  }

  index(list: ListName): PatternIndex {
    return this.lists[list];
  }

  snapshot(): { admitted: string[]; watched: string[]; muted: string[] } {
    return {
      admitted: this.lists.admitted.list(),
      watched: this.lists.watched.list(),
      muted: this.lists.muted.list(),
    };
  }

  /** sender is the claimed sender (undefined when the payload named none). */
  classify(topic: string, sender: string | undefined): GateDecision {
    if (this.ownName && sender === this.ownName) return { tier: "dropped", reason: "echo" };
    const muted = this.lists.muted.match(topic, sender);
    if (muted !== undefined) return { tier: "dropped", reason: "muted", pattern: muted };
    const admitted = this.lists.admitted.match(topic, sender);
    if (admitted !== undefined) return { tier: "admitted", pattern: admitted };
    const watched = this.lists.watched.match(topic, sender);
    if (watched !== undefined) return { tier: "watched", pattern: watched };
    return { tier: "dropped", reason: "unmatched" };
  }
}
