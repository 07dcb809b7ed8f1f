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
 * The three lists share one `PatternStore` (a slot each), so a topic costs one name
 * lookup, one validity check, one split and one trie walk, whatever the number of
 * patterns. That decision is remembered per topic until a list changes, so a topic
 * seen before costs one Map lookup, plus one for a sender.
 */
import { PatternIndex, PatternStore, PreparedTopic } from "./pattern-index.js";
import { TopicMemo } from "./topic-memo.js";

export type ListName = "admitted" | "watched" | "muted";
/** Why the gate drops a message (the session adds reasons of its own, see session/types.ts DropReason). */
export type GateDropReason = "muted" | "echo" | "unmatched";
export type GateDecision =
  | { readonly tier: "admitted"; readonly pattern: string }
  | { readonly tier: "watched"; readonly pattern: string }
  | { readonly tier: "dropped"; readonly reason: GateDropReason; readonly pattern?: string };

export interface GateLists {
  admitted: readonly string[];
  watched: readonly string[];
  muted: readonly string[];
}

/** Trie slots, in precedence order; `NONE` ranks after them all. */
const MUTED = 0;
const ADMITTED = 1;
const WATCHED = 2;
const NONE = 3;

/**
 * Topics whose decision is remembered, per generation (see TopicMemo), and the longest
 * topic remembered: enough for a large home broker's topics, a few megabytes at most.
 */
const MEMO_TOPICS = 16_384;
const MEMO_MAX_TOPIC_LENGTH = 256;

const ECHO: GateDecision = { tier: "dropped", reason: "echo" };
const UNMATCHED: GateDecision = { tier: "dropped", reason: "unmatched" };

/** The decision a pattern of `slot` makes. */
function decisionOf(slot: number, pattern: string): GateDecision {
  if (slot === MUTED) return { tier: "dropped", reason: "muted", pattern };
  return { tier: slot === ADMITTED ? "admitted" : "watched", pattern };
}

/** The slot that made `decision`, NONE when no pattern did. */
function slotOf(decision: GateDecision): number {
  if (decision.tier === "admitted") return ADMITTED;
  if (decision.tier === "watched") return WATCHED;
  return decision.reason === "muted" ? MUTED : NONE;
}

export class Gate {
  private readonly lists: Record<ListName, PatternIndex>;
  private readonly store = new PatternStore(3);
  private readonly bySlot: PatternIndex[];
  /** Per slot, the best trie filter for the topic `walkedFor` (reused: classify never nests). */
  private readonly fromTrie: Array<string | undefined> = [undefined, undefined, undefined];
  private walkedFor: PreparedTopic | undefined;
  /** Per topic, the decision for a message whose sender no list names. */
  private readonly byTopic = new TopicMemo<GateDecision>(MEMO_TOPICS);

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

  /**
   * sender is the claimed sender (undefined when the payload named none). The decision
   * is shared with other calls: read it, never change it.
   */
  classify(topic: string, sender: string | undefined): GateDecision {
    if (this.ownName && sender === this.ownName) return ECHO;
    const byTopic = this.topicDecision(topic);
    const senderSlots = sender === undefined ? 0 : this.store.slotsNaming(sender);
    if (senderSlots === 0) return byTopic;
    // A sender named in a list decides in that list before its topic does (rule 2 applies per list).
    const slot = 31 - Math.clz32(senderSlots & -senderSlots);
    return slot <= slotOf(byTopic) ? decisionOf(slot, sender!) : byTopic;
  }

  /** The decision by topic alone: its exact name, then the trie; remembered per topic until a list changes. */
  private topicDecision(topic: string): GateDecision {
    const remember = topic.length <= MEMO_MAX_TOPIC_LENGTH;
    const version = this.store.version;
    if (remember) {
      const known = this.byTopic.get(topic, version);
      if (known !== undefined) return known;
    }
    const topicSlots = this.store.slotsNaming(topic);
    const prepared = new PreparedTopic(topic);
    let decision = UNMATCHED;
    for (let slot = MUTED; slot < NONE; slot++) {
      const pattern = (topicSlots & (1 << slot)) !== 0 ? topic : this.filterOf(slot, prepared);
      if (pattern !== undefined) {
        decision = decisionOf(slot, pattern);
        break;
      }
    }
    if (remember) this.byTopic.set(topic, decision);
    return decision;
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
