/**
 * A trie of MQTT topic filters, walked once per topic to find the filters that match.
 *
 * Rules (those of `matches()` in topics.ts, for valid filters and topic names):
 * - A filter's levels are trie edges; `+` and `#` have edges of their own.
 * - `+` follows exactly one topic level, an empty one too.
 * - `#` matches whatever remains, none too (`a/#` matches `a`).
 * - A filter starting with a wildcard never matches a topic starting with `$`.
 *
 * Each filter is stored with a slot (which set it belongs to: the gate keeps its
 * three lists in one trie, so one walk serves all three) and a rank (lower wins).
 * The caller splits the topic on `/` once. `best` and `bestPerSlot` allocate
 * nothing. Walks recurse once per level, so callers keep very deep filters out of
 * the trie (see PatternIndex).
 */

interface Entry {
  readonly filter: string;
  readonly rank: number;
  readonly slot: number;
}

class TrieNode {
  children: Map<string, TrieNode> | undefined;
  plus: TrieNode | undefined;
  /** Filters ending in `#` right below this node. */
  rest: Entry[] | undefined;
  /** Filters ending at this node. */
  here: Entry[] | undefined;

  isEmpty(): boolean {
    return !this.children?.size && !this.plus && !this.rest && !this.here;
  }
}

const DOLLAR = 0x24;

/** What a walk does with the entries of a matching node. */
const enum Mode {
  /** Keep the lowest-ranked entry of one slot. */
  Best,
  /** Keep the lowest-ranked entry of every slot. */
  BestPerSlot,
  /** Append the filters of one slot to a list. */
  Collect,
}

export class TopicTrie {
  private readonly root = new TrieNode();
  private count = 0;
  // Walk state, set at the start of each walk (walks never nest: nothing outside runs during one).
  private mode = Mode.Best;
  private slot = 0;
  private readonly found: Array<Entry | undefined>;
  private out: string[] = [];

  /** `slots`: how many sets share this trie. */
  constructor(private readonly slots = 1) {
    this.found = new Array<Entry | undefined>(slots).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** Adds a valid filter holding a wildcard, to `slot`, with its rank. */
  add(filter: string, rank: number, slot = 0): void {
    let node = this.root;
    const levels = filter.split("/");
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      if (level === "#") {
        (node.rest ??= []).push({ filter, rank, slot });
        this.count++;
        return;
      }
      if (level === "+") node = node.plus ??= new TrieNode();
      else {
        node.children ??= new Map();
        let child = node.children.get(level);
        if (!child) node.children.set(level, (child = new TrieNode()));
        node = child;
      }
    }
    (node.here ??= []).push({ filter, rank, slot });
    this.count++;
  }

  /** Removes a filter of `slot` added before; false when it was not there. */
  remove(filter: string, slot = 0): boolean {
    const removed = this.removeFrom(this.root, filter.split("/"), 0, filter, slot);
    if (removed) this.count--;
    return removed;
  }

  /** The matching filter of `slot` with the lowest rank. `levels`: the topic split on `/`. */
  best(levels: readonly string[], slot = 0): string | undefined {
    this.mode = Mode.Best;
    this.slot = slot;
    this.found[slot] = undefined;
    this.start(levels);
    return this.take(slot);
  }

  /** For every slot, the matching filter with the lowest rank, written to `out[slot]`. */
  bestPerSlot(levels: readonly string[], out: Array<string | undefined>): void {
    this.mode = Mode.BestPerSlot;
    this.found.fill(undefined, 0, this.slots);
    this.start(levels);
    for (let s = 0; s < this.slots; s++) out[s] = this.take(s);
  }

  /** The filter a walk found for `slot`, clearing it for the next walk. */
  private take(slot: number): string | undefined {
    const entry = this.found[slot];
    this.found[slot] = undefined;
    return entry?.filter;
  }

  /** Appends every matching filter of `slot` to `out` (in no particular order). */
  collect(levels: readonly string[], out: string[], slot = 0): void {
    this.mode = Mode.Collect;
    this.slot = slot;
    this.out = out;
    this.start(levels);
    this.out = [];
  }

  private start(levels: readonly string[]): void {
    if (this.count === 0) return;
    const first = levels[0]!;
    if (first.charCodeAt(0) !== DOLLAR) return this.walk(this.root, levels, 0);
    // A `$` topic: the root's wildcards do not reach it, only a filter spelling its first level.
    const child = this.root.children?.get(first);
    if (child !== undefined) this.walk(child, levels, 1);
  }

  private walk(node: TrieNode, levels: readonly string[], i: number): void {
    if (node.rest !== undefined) this.consider(node.rest);
    if (i === levels.length) {
      if (node.here !== undefined) this.consider(node.here);
      return;
    }
    if (node.children !== undefined) {
      const child = node.children.get(levels[i]!);
      if (child !== undefined) this.walk(child, levels, i + 1);
    }
    if (node.plus !== undefined) this.walk(node.plus, levels, i + 1);
  }

  private consider(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (this.mode !== Mode.BestPerSlot && entry.slot !== this.slot) continue;
      if (this.mode === Mode.Collect) {
        this.out.push(entry.filter);
        continue;
      }
      const held = this.found[entry.slot];
      if (held === undefined || entry.rank < held.rank) this.found[entry.slot] = entry;
    }
  }

  private removeFrom(node: TrieNode, levels: readonly string[], i: number, filter: string, slot: number): boolean {
    if (i === levels.length) return removeEntry(node, "here", filter, slot);
    const level = levels[i]!;
    if (level === "#") return removeEntry(node, "rest", filter, slot);
    const child = level === "+" ? node.plus : node.children?.get(level);
    if (!child || !this.removeFrom(child, levels, i + 1, filter, slot)) return false;
    if (child.isEmpty()) {
      if (level === "+") node.plus = undefined;
      else node.children!.delete(level);
    }
    return true;
  }
}

function removeEntry(node: TrieNode, where: "rest" | "here", filter: string, slot: number): boolean {
  const entries = node[where];
  const at = entries ? entries.findIndex((e) => e.filter === filter && e.slot === slot) : -1;
  if (at < 0) return false;
  entries!.splice(at, 1);
  if (entries!.length === 0) node[where] = undefined;
  return true;
}
