/**
 * A set of MQTT topic filters that answers "which of them match this message?"
 * without walking the whole set.
 *
 * Rules:
 * - Every pattern is a valid topic filter (`validatePattern`); an invalid one is
 *   refused with a `PatternError` carrying validatePattern's explanation.
 * - Against a topic, a pattern matches exactly when `matches()` says so: `+` is one
 *   level (an empty one too), `#` is the rest (none too, so `a/#` matches `a`), a
 *   filter starting with a wildcard never matches a `$` topic, and a string that is
 *   not a valid topic name matches nothing.
 * - A pattern without wildcards is also a name: it matches a sender equal to it,
 *   byte for byte. A pattern holding a wildcard is a filter only, never a name.
 * - `match` decides by the sender first, then the exact topic, then the wildcard
 *   filter added earliest.
 *
 * Names live in a Map and wildcard filters in a `TopicTrie`, both in a
 * `PatternStore`: the index's own, or one slot of a store several indexes share, as
 * the gate's three lists do. A `PreparedTopic` carries a topic's validity and
 * levels, so the gate checks and splits a topic once for all its lists.
 */
import { TopicTrie } from "./topic-trie.js";
import { hasWildcard, isValidTopic, matches, validatePattern } from "./topics.js";

/** A pattern that is not a valid MQTT topic filter; the message says why. */
export class PatternError extends Error {
  readonly pattern: string;

  constructor(pattern: string, message: string) {
    super(message);
    this.name = "PatternError";
    this.pattern = pattern;
  }
}

/**
 * The trie walk recurses once per filter level, so a filter thousands of levels
 * deep would overflow the stack. Filters deeper than this (none in real use) are
 * kept in a plain list and checked with `matches()`.
 */
const MAX_TRIE_LEVELS = 128;

function levelCount(pattern: string): number {
  let count = 1;
  for (let i = pattern.indexOf("/"); i !== -1; i = pattern.indexOf("/", i + 1)) count++;
  return count;
}

/** A topic checked once and split (on first need) once, for matching against several indexes. */
export class PreparedTopic {
  readonly valid: boolean;
  private split: string[] | undefined;

  constructor(readonly topic: string) {
    this.valid = isValidTopic(topic);
  }

  get levels(): readonly string[] {
    return (this.split ??= splitLevels(this.topic));
  }
}

/** `topic.split("/")`, written out: about twice as fast for the short topics MQTT carries. */
function splitLevels(topic: string): string[] {
  const levels: string[] = [];
  let start = 0;
  for (let slash = topic.indexOf("/"); slash !== -1; slash = topic.indexOf("/", start)) {
    levels.push(topic.slice(start, slash));
    start = slash + 1;
  }
  levels.push(topic.slice(start));
  return levels;
}

/**
 * Where indexes keep their patterns: names (wildcard-free patterns) in one Map and
 * filters in one trie, shared by up to 30 indexes, a slot each. The gate's three
 * lists share one store, so a message costs two name lookups and one trie walk.
 */
export class PatternStore {
  readonly trie: TopicTrie;
  /** name → bit set of the slots holding it. */
  private readonly names = new Map<string, number>();
  private changes = 0;

  constructor(readonly slots = 1) {
    if (slots < 1 || slots > 30) throw new RangeError(`a pattern store has 1 to 30 slots, not ${slots}`);
    this.trie = new TopicTrie(slots);
  }

  /** Counts every change to the indexes using this store, so answers drawn from them can be remembered until the next one. */
  get version(): number {
    return this.changes;
  }

  changed(): void {
    this.changes++;
  }

  /** Bit `1 << slot` is set for each slot holding `name`; 0 when none does. */
  slotsNaming(name: string): number {
    return this.names.get(name) ?? 0;
  }

  addName(name: string, slot: number): void {
    this.names.set(name, this.slotsNaming(name) | (1 << slot));
  }

  deleteName(name: string, slot: number): void {
    const left = this.slotsNaming(name) & ~(1 << slot);
    if (left === 0) this.names.delete(name);
    else this.names.set(name, left);
  }
}

export class PatternIndex {
  /** pattern → insertion number; its key order is the insertion order. */
  private readonly order = new Map<string, number>();
  private nextNumber = 0;
  private readonly store: PatternStore;
  private readonly slot: number;
  private readonly bit: number;
  private readonly deep: string[] = [];

  /** `placement`: a slot of a shared store; by default the index has a store of its own. */
  constructor(patterns?: Iterable<string>, placement?: { store: PatternStore; slot: number }) {
    this.store = placement?.store ?? new PatternStore();
    this.slot = placement?.slot ?? 0;
    if (!Number.isInteger(this.slot) || this.slot < 0 || this.slot >= this.store.slots) {
      throw new RangeError(`slot ${this.slot} is outside the store's ${this.store.slots} slot(s)`);
    }
    this.bit = 1 << this.slot;
    if (patterns) for (const pattern of patterns) this.add(pattern);
  }

  /** Adds `pattern`; false when it is already present. Throws PatternError if it is invalid. */
  add(pattern: string): boolean {
    if (this.order.has(pattern)) return false;
    const problem = validatePattern(pattern);
    if (problem !== undefined) throw new PatternError(pattern, problem);
    const number = this.nextNumber++;
    this.order.set(pattern, number);
    this.store.changed();
    if (!hasWildcard(pattern)) this.store.addName(pattern, this.slot);
    else if (levelCount(pattern) > MAX_TRIE_LEVELS) this.deep.push(pattern);
    else this.store.trie.add(pattern, number, this.slot);
    return true;
  }

  delete(pattern: string): boolean {
    if (!this.order.delete(pattern)) return false;
    this.store.changed();
    if (!hasWildcard(pattern)) this.store.deleteName(pattern, this.slot);
    else if (levelCount(pattern) > MAX_TRIE_LEVELS) this.deep.splice(this.deep.indexOf(pattern), 1);
    else this.store.trie.remove(pattern, this.slot);
    return true;
  }

  has(pattern: string): boolean {
    return this.order.has(pattern);
  }

  get size(): number {
    return this.order.size;
  }

  /** The patterns in insertion order. */
  list(): string[] {
    return [...this.order.keys()];
  }

  /** The deciding pattern: one equal to `sender` (exact string), else one equal to `topic`, else a filter matching `topic` by MQTT rules; undefined when none. */
  match(topic: string | PreparedTopic, sender?: string): string | undefined {
    const prepared = typeof topic === "string" ? new PreparedTopic(topic) : topic;
    const named = this.named(prepared, sender);
    if (named !== undefined || !prepared.valid) return named;
    const trie = this.store.trie;
    return this.earliestFilter(prepared, trie.size > 0 ? trie.best(prepared.levels, this.slot) : undefined);
  }

  /** The first two steps of `match`: a pattern equal to the sender, else one equal to the topic. */
  named(topic: PreparedTopic, sender: string | undefined): string | undefined {
    if (sender !== undefined && (this.store.slotsNaming(sender) & this.bit) !== 0) return sender;
    if ((this.store.slotsNaming(topic.topic) & this.bit) !== 0) return topic.topic;
    return undefined;
  }

  /**
   * The last step of `match`, for a caller that walked a shared trie itself:
   * `fromTrie` is this index's best filter from that walk (for a valid topic).
   */
  earliestFilter(topic: PreparedTopic, fromTrie: string | undefined): string | undefined {
    if (this.deep.length === 0) return fromTrie;
    let decider = fromTrie;
    let deciderNumber = fromTrie === undefined ? Infinity : this.order.get(fromTrie)!;
    for (const pattern of this.deep) {
      const n = this.order.get(pattern)!;
      if (n < deciderNumber && matches(pattern, topic.topic)) {
        decider = pattern;
        deciderNumber = n;
      }
    }
    return decider;
  }

  /** Every pattern in the index that matches `topic` as an MQTT filter (no sender matching), in insertion order. */
  matchingTopic(topic: string): string[] {
    const found: string[] = [];
    if ((this.store.slotsNaming(topic) & this.bit) !== 0) found.push(topic);
    if (isValidTopic(topic)) {
      this.store.trie.collect(splitLevels(topic), found, this.slot);
      for (const pattern of this.deep) if (matches(pattern, topic)) found.push(pattern);
    }
    return found.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}
