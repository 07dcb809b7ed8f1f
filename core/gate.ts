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
 *
 * The three lists share one `PatternStore` (a slot each), so a message costs two
 * name lookups, one validity check, one split and one trie walk, whatever the
 * number of patterns.
 */
import { PatternIndex, PatternStore, PreparedTopic } from "./pattern-index.js";

export type ListName = "admitted" | "watched" | "muted";
/** Why the gate drops a message (the session adds reasons of its own, see session/types.ts DropReason). */
export type GateDropReason = "muted" | "echo" | "unmatched";
export type GateDecision =
  | { tier: "admitted"; pattern: string }
  | { tier: "watched"; pattern: string }
  | { tier: "dropped"; reason: GateDropReason; pattern?: string };

export interface GateLists {
  admitted: readonly string[];
  watched: readonly string[];
  muted: readonly string[];
}

/** Trie slots, in precedence order. */
const MUTED = 0;
const ADMITTED = 1;
const WATCHED = 2;

/** The pattern of `slot` naming the message: the sender first, then the exact topic. */
function byName(slot: number, sender: string | undefined, senderSlots: number, topic: string, topicSlots: number): string | undefined {
  const bit = 1 << slot;
  if ((senderSlots & bit) !== 0) return sender;
  return (topicSlots & bit) !== 0 ? topic : undefined;
}

export class Gate {
  private readonly lists: Record<ListName, PatternIndex>;
  private readonly store = new PatternStore(3);
  private readonly bySlot: PatternIndex[];
  /** Per slot, the best trie filter for the topic `walkedFor` (reused: classify never nests). */
  private readonly fromTrie: Array<string | undefined> = [undefined, undefined, undefined];
  private walkedFor: PreparedTopic | undefined;

  /** Throws PatternError naming the first invalid pattern. An empty `ownName` counts as none. */
  constructor(
    lists: GateLists,
    private readonly ownName?: string,
  ) {
    this.lists = {
      admitted: new PatternIndex(lists.admitted, { store: this.store, slot: ADMITTED }),
      watched: new PatternIndex(lists.watched, { store: this.store, slot: WATCHED }),
      muted: new PatternIndex(lists.muted, { store: this.store, slot: MUTED }),
    };
    this.bySlot = [this.lists.muted, this.lists.admitted, this.lists.watched];
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
    const store = this.store;
    const senderSlots = sender === undefined ? 0 : store.slotsNaming(sender);
    const topicSlots = store.slotsNaming(topic);
    const prepared = new PreparedTopic(topic);
    const mutedBy = byName(MUTED, sender, senderSlots, topic, topicSlots) ?? this.filterOf(MUTED, prepared);
    if (mutedBy !== undefined) return { tier: "dropped", reason: "muted", pattern: mutedBy };
    const admittedBy = byName(ADMITTED, sender, senderSlots, topic, topicSlots) ?? this.filterOf(ADMITTED, prepared);
    if (admittedBy !== undefined) return { tier: "admitted", pattern: admittedBy };
    const watchedBy = byName(WATCHED, sender, senderSlots, topic, topicSlots) ?? this.filterOf(WATCHED, prepared);
    if (watchedBy !== undefined) return { tier: "watched", pattern: watchedBy };
    return { tier: "dropped", reason: "unmatched" };
  }

  /** The earliest filter of `slot` matching the topic. The first call for a topic walks the trie once for all slots. */
  private filterOf(slot: number, topic: PreparedTopic): string | undefined {
    if (!topic.valid) return undefined;
    if (this.walkedFor !== topic) {
      this.walkedFor = topic;
      const trie = this.store.trie;
      if (trie.size > 0) trie.bestPerSlot(topic.levels, this.fromTrie);
      else this.fromTrie.fill(undefined);
    }
    return this.bySlot[slot]!.earliestFilter(topic, this.fromTrie[slot]);
  }
}
