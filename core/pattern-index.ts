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
 * Wildcard filters live in qlobber tries (one for filters starting with a
 * wildcard, which `$` topics skip); exact strings live in a Set.
 */
import { QlobberDedup } from "qlobber";
import { hasWildcard, matches, validatePattern, validateTopic } from "./topics.js";

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
 * qlobber walks its trie recursively, one call per level, so a filter thousands
 * of levels deep would overflow the stack. Filters deeper than this (none in real
 * use) are kept in a plain list and checked with `matches()`.
 */
const MAX_TRIE_LEVELS = 128;

/** A valid topic name has at most 65,535 bytes, so at most 65,536 levels. */
const MAX_TOPIC_LEVELS = 65_536;

function mqttTrie(): QlobberDedup<string> {
  return new QlobberDedup<string>({
    separator: "/",
    wildcard_one: "+",
    wildcard_some: "#",
    match_empty_levels: true,
    max_words: MAX_TOPIC_LEVELS,
  });
}

function levelCount(pattern: string): number {
  let count = 1;
  for (let i = pattern.indexOf("/"); i !== -1; i = pattern.indexOf("/", i + 1)) count++;
  return count;
}

export class PatternIndex {
  /** pattern → insertion number; its key order is the insertion order. */
  private readonly order = new Map<string, number>();
  private nextNumber = 0;
  private readonly exact = new Set<string>();
  private readonly leadingWildcard = mqttTrie();
  private readonly otherWildcard = mqttTrie();
  private readonly deep: string[] = [];

  constructor(patterns?: Iterable<string>) {
    if (patterns) for (const pattern of patterns) this.add(pattern);
  }

  /** Adds `pattern`; false when it is already present. Throws PatternError if it is invalid. */
  add(pattern: string): boolean {
    if (this.order.has(pattern)) return false;
    const problem = validatePattern(pattern);
    if (problem !== undefined) throw new PatternError(pattern, problem);
    this.order.set(pattern, this.nextNumber++);
    if (!hasWildcard(pattern)) this.exact.add(pattern);
    else if (levelCount(pattern) > MAX_TRIE_LEVELS) this.deep.push(pattern);
    else this.trieFor(pattern).add(pattern, pattern);
    return true;
  }

  delete(pattern: string): boolean {
    if (!this.order.delete(pattern)) return false;
    if (!hasWildcard(pattern)) this.exact.delete(pattern);
    else if (levelCount(pattern) > MAX_TRIE_LEVELS) this.deep.splice(this.deep.indexOf(pattern), 1);
    else this.trieFor(pattern).remove(pattern, pattern);
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
  match(topic: string, sender?: string): string | undefined {
    if (sender !== undefined && this.exact.has(sender)) return sender;
    if (this.exact.has(topic)) return topic;
    let decider: string | undefined;
    let deciderNumber = Infinity;
    this.eachWildcardMatch(topic, (pattern) => {
      const n = this.order.get(pattern)!;
      if (n < deciderNumber) {
        decider = pattern;
        deciderNumber = n;
      }
    });
    return decider;
  }

  /** Every pattern in the index that matches `topic` as an MQTT filter (no sender matching), in insertion order. */
  matchingTopic(topic: string): string[] {
    const found: string[] = [];
    if (this.exact.has(topic)) found.push(topic);
    this.eachWildcardMatch(topic, (pattern) => found.push(pattern));
    return found.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }

  private trieFor(pattern: string): QlobberDedup<string> {
    return pattern.startsWith("+") || pattern.startsWith("#") ? this.leadingWildcard : this.otherWildcard;
  }

  private eachWildcardMatch(topic: string, visit: (pattern: string) => void): void {
    if (validateTopic(topic) !== undefined) return;
    // The sets qlobber returns may be its own storage: read them, never keep or change them.
    if (!topic.startsWith("$")) for (const pattern of this.leadingWildcard.match(topic)) visit(pattern);
    for (const pattern of this.otherWildcard.match(topic)) visit(pattern);
    for (const pattern of this.deep) if (matches(pattern, topic)) visit(pattern);
  }
}
