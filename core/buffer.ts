/**
 * The watched buffer: messages on watched topics, held until the model reads its inbox.
 *
 * Rules:
 * - Messages are kept per exact topic, oldest first; topics are listed in the order
 *   they first received a message (a topic emptied and refilled goes to the end).
 * - Three bounds, applied on every add and re-applied at once by `setLimits`:
 *   - per topic: at most `maxPerTopic` messages; the topic's oldest go first;
 *   - age: a message older than `maxAgeSeconds` (now - receivedAt > maxAge) expires;
 *   - bytes: the sum of entry sizes stays at or under `maxBytes`; the oldest
 *     messages of the whole buffer go first, whatever their topic. An entry's size is
 *     the UTF-8 bytes of its strings (topic, sender, content, sentAt, correlation_id,
 *     reply_to) plus `ENTRY_OVERHEAD_BYTES` for the record around them.
 * - Every eviction is counted, both in the result of the call that caused it and in
 *   the cumulative `evicted`. `clear` and `removeUnwatched` are deliberate removals,
 *   not evictions: they return how many messages they removed.
 * - `read` never returns an expired message and does not consume. A filter is an
 *   exact topic or an MQTT topic filter (`home/#`); undefined means every topic.
 * - Time is an argument (`now`, epoch ms); the buffer has no timer. Expiry walks the
 *   messages in arrival order, so it costs only what it removes; when a message was
 *   stamped earlier than one already held (a clock stepped back), reads and `prune`
 *   also check the topics they cover one message at a time until the buffer empties.
 */

import { ByteRing, type RingRecords } from "./byte-ring.js";
import { displaySender } from "./envelope.js";
import { SlotTable, type RowStrings } from "./slot-table.js";
import { hasWildcard, matches } from "./topics.js";

export interface BufferEntry {
  topic: string;
  sender?: string;
  content: string;
  receivedAt: number;
  sentAt?: string;
  correlation_id?: string;
  reply_to?: string;
}

export interface BufferSummary {
  topics: Array<{ topic: string; count: number; senders: string[] }>;
  /** The topics left out by the limit, and their messages; absent when none were. */
  unlisted?: { topics: number; messages: number };
}

export interface BufferLimits {
  maxAgeSeconds: number;
  maxPerTopic: number;
  maxBytes: number;
}

export interface EvictionCounts {
  perTopic: number;
  age: number;
  bytes: number;
}

/** Accounting size of an entry's record, beside its strings (object, queue slots, timestamp). */
export const ENTRY_OVERHEAD_BYTES = 64;

/** Size an entry counts for against `maxBytes`. */
export function entryBytes(entry: BufferEntry): number {
  return ENTRY_OVERHEAD_BYTES + Buffer.byteLength(entry.topic, "utf8") + Buffer.byteLength(entry.content, "utf8") + claimedBytes(entry);
}

/** The UTF-8 bytes of an entry's optional strings. */
function claimedBytes(entry: BufferEntry): number {
  return optionalBytes(entry.sender) + optionalBytes(entry.sentAt) + optionalBytes(entry.correlation_id) + optionalBytes(entry.reply_to);
}

function optionalBytes(text: string | undefined): number {
  return text === undefined ? 0 : Buffer.byteLength(text, "utf8");
}

/**
 * A buffered message is a row of a `SlotTable` (typed-array columns, its topic's queue as
 * owner) and its content's UTF-8 bytes in a `ByteRing`, both off the object heap: under a
 * flood every message survives a garbage collection or two before it is evicted, and
 * each object copied and marked then costs time. A content that is no well-formed text
 * (a lone surrogate has no UTF-8 form) is kept as a string instead, with an empty record.
 */
type Slot = number;

/** String.prototype.isWellFormed: in Node.js since 20, not yet in TypeScript's ES2023 library. */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

export class WatchedBuffer {
  private current: BufferLimits;
  private readonly topics = new Map<string, TopicQueue>();
  /** Every slot in arrival order, across topics; removed slots stay until they reach the head or a compaction. */
  private order = new Queue<Slot>();
  private deadInOrder = 0;
  private messages = 0;
  private bytes = 0;
  private newestReceivedAt = -Infinity;
  private outOfOrder = false;
  private readonly totals: EvictionCounts = noEvictions();
  private readonly ring: ByteRing;
  private readonly slots = new SlotTable<TopicQueue>();
  /** The live slots, for the ring to move their contents when it is rebuilt. */
  private readonly liveRecords: RingRecords = {
    relocate: (move) => {
      for (const slot of this.order.values()) {
        if (this.slots.removed(slot)) continue;
        const length = this.slots.length(slot);
        this.slots.setPlace(slot, move(this.slots.at(slot), length), length);
      }
    },
  };

  constructor(limits: BufferLimits) {
    this.current = checkLimits(limits);
    this.ring = new ByteRing(this.current.maxBytes);
  }

  get limits(): BufferLimits {
    return { ...this.current };
  }

  /** Evictions since construction. */
  get evicted(): EvictionCounts {
    return { ...this.totals };
  }

  get size(): { messages: number; topics: number; bytes: number } {
    return { messages: this.messages, topics: this.topics.size, bytes: this.bytes };
  }

  /**
   * Buffers a copy of `entry` (the caller may reuse or change its object); returns the
   * evictions this caused. `contentBytes`: the UTF-8 of `entry.content`, when the caller
   * has it (the payload it decoded), which saves encoding it again.
   */
  add(entry: BufferEntry, now: number, contentBytes?: Uint8Array): EvictionCounts {
    if (!Number.isFinite(entry.receivedAt)) {
      throw new RangeError(`buffer entry receivedAt must be a finite epoch-ms time, got ${entry.receivedAt}`);
    }
    const counts = noEvictions();
    this.expireHeads(now, counts);
    if (this.isExpired(entry.receivedAt, now)) {
      counts.age++;
      return this.tally(counts);
    }
    if (entry.receivedAt < this.newestReceivedAt) this.outOfOrder = true;
    else this.newestReceivedAt = entry.receivedAt;

    let queue = this.topics.get(entry.topic);
    if (!queue) {
      queue = new TopicQueue(entry.topic);
      this.topics.set(entry.topic, queue);
    }
    // Every message of a topic shares its queue's one topic string: a flood on few topics stays small.
    const content = entry.content;
    const text = contentBytes !== undefined || isWellFormed(content) ? undefined : content;
    const contentLength = contentBytes?.length ?? Buffer.byteLength(content, "utf8");
    const bytes = ENTRY_OVERHEAD_BYTES + queue.topicBytes + contentLength + claimedBytes(entry);
    // An empty record too takes its place in the ring's order, so the oldest record is always where the ring expects it.
    const head = this.liveHead();
    const oldest = head === undefined ? undefined : this.slots.at(head);
    const length = text === undefined ? contentLength : 0;
    const at =
      contentBytes !== undefined
        ? this.ring.writeBytes(contentBytes, oldest, this.liveRecords)
        : this.ring.writeText(text === undefined ? content : "", length, oldest, this.liveRecords);
    const slot = this.slots.add(queue, entry.receivedAt, bytes, rowStrings(entry, text));
    this.slots.setPlace(slot, at, length);
    queue.push(slot);
    this.order.push(slot);
    this.messages++;
    this.bytes += bytes;

    while (queue.length > this.current.maxPerTopic) {
      this.discard(queue.shift()!);
      counts.perTopic++;
    }
    this.enforceBytes(counts);
    return this.tally(counts);
  }

  /** Changes some limits and applies all of them to what is already buffered. */
  setLimits(limits: Partial<BufferLimits>, now: number): EvictionCounts {
    const merged = { ...this.current };
    for (const key of ["maxAgeSeconds", "maxPerTopic", "maxBytes"] as const) {
      const value = limits[key];
      if (value !== undefined) merged[key] = value;
    }
    this.current = checkLimits(merged);
    this.ring.expected = this.current.maxBytes;
    const counts = noEvictions();
    for (const [topic, queue] of this.topics) {
      while (queue.length > this.current.maxPerTopic) {
        this.discard(queue.shift()!);
        counts.perTopic++;
      }
      if (queue.length === 0) this.topics.delete(topic);
    }
    this.expire(now, counts);
    this.enforceBytes(counts);
    return this.tally(counts);
  }

  /** Removes expired messages. */
  prune(now: number): EvictionCounts {
    const counts = noEvictions();
    this.expire(now, counts);
    return this.tally(counts);
  }

  /** Unexpired messages on the topics `filter` covers (all when undefined), oldest first within a topic. */
  read(filter: string | undefined, now: number): BufferEntry[] {
    const counts = noEvictions();
    this.expireHeads(now, counts);
    const result: BufferEntry[] = [];
    for (const topic of this.topicsFor(filter)) {
      if (this.outOfOrder) this.expireTopic(topic, now, counts);
      const queue = this.topics.get(topic);
      if (!queue) continue;
      for (const slot of queue.values()) result.push(this.entryOf(queue.topic, slot));
    }
    this.tally(counts);
    return result;
  }

  /** Removes the messages on the topics `filter` covers, or all messages; returns how many. */
  clear(filter?: string): number {
    if (filter === undefined) {
      const removed = this.messages;
      this.topics.clear();
      this.order = new Queue<Slot>();
      this.deadInOrder = 0;
      this.messages = 0;
      this.bytes = 0;
      this.ring.clear();
      this.slots.clear();
      this.resetOrdering();
      return removed;
    }
    let removed = 0;
    for (const topic of this.topicsFor(filter)) removed += this.removeTopic(topic);
    return removed;
  }

  /** Removes the first `count` messages that `read(filter)` lists, and no others; returns how many went. */
  clearFirst(filter: string, count: number): number {
    let removed = 0;
    for (const topic of this.topicsFor(filter)) {
      const queue = this.topics.get(topic);
      if (!queue) continue;
      if (queue.length <= count - removed) {
        removed += this.removeTopic(topic);
        continue;
      }
      while (removed < count) {
        this.discard(queue.shift()!);
        removed++;
      }
      break;
    }
    return removed;
  }

  /** For unwatch: removes the topics `pattern` covers unless `stillWatched(topic)`; returns how many messages went. */
  removeUnwatched(pattern: string, stillWatched: (topic: string) => boolean): number {
    let removed = 0;
    for (const topic of this.topicsFor(pattern)) {
      if (!stillWatched(topic)) removed += this.removeTopic(topic);
    }
    return removed;
  }

  /** Message counts of the `limit` busiest topics, busiest first, ties in listing order. Costs a few steps per topic, never one per message. */
  counts(now: number, limit = Infinity): Array<{ topic: string; count: number }> {
    this.prune(now);
    return this.busiest(limit).map((queue) => ({ topic: queue.topic, count: queue.length }));
  }

  /**
   * The `limit` busiest topics (ties in listing order), each with its message count and unique
   * senders in first-seen order ("unknown" for none), and what the other topics hold. Senders
   * are gathered for the listed topics only: a walk of every message takes milliseconds at
   * thousands of topics, and the inbox tool shows only what fits its budget.
   */
  summary(now: number, limit = Infinity): BufferSummary {
    this.prune(now);
    const topics = this.busiest(limit).map((queue) => {
      const senders = new Set<string>();
      for (const slot of queue.values()) senders.add(displaySender(this.slots.strings(slot)?.sender));
      return { topic: queue.topic, count: queue.length, senders: [...senders] };
    });
    const restTopics = this.topics.size - topics.length;
    if (restTopics === 0) return { topics };
    const listedMessages = topics.reduce((sum, { count }) => sum + count, 0);
    return { topics, unlisted: { topics: restTopics, messages: this.messages - listedMessages } };
  }

  /**
   * The queues of the `limit` busiest topics, busiest first, ties in listing order. Below
   * the number of topics, a count of queue lengths finds the cut-off first, and only the
   * topics that make it are sorted: `status` asks for 100 of what may be thousands.
   */
  private busiest(limit: number): TopicQueue[] {
    const byCount = (a: TopicQueue, b: TopicQueue): number => b.length - a.length;
    // Array.prototype.sort is stable: ties keep the listing order.
    if (limit >= this.topics.size) return [...this.topics.values()].sort(byCount);
    const topicsWithLength: number[] = [];
    for (const queue of this.topics.values()) topicsWithLength[queue.length] = (topicsWithLength[queue.length] ?? 0) + 1;
    let cutoff = 0;
    let above = 0;
    for (let length = topicsWithLength.length - 1; length > 0; length--) {
      const topics = topicsWithLength[length] ?? 0;
      if (above + topics >= limit) {
        cutoff = length;
        break;
      }
      above += topics;
    }
    let roomAtCutoff = limit - above;
    const picked: TopicQueue[] = [];
    for (const queue of this.topics.values()) {
      if (queue.length > cutoff || (queue.length === cutoff && roomAtCutoff-- > 0)) picked.push(queue);
    }
    return picked.sort(byCount);
  }

  /** The entry a slot holds, with only the fields it has. */
  private entryOf(topic: string, slot: Slot): BufferEntry {
    const strings = this.slots.strings(slot);
    const content = strings?.text ?? this.ring.read(this.slots.at(slot), this.slots.length(slot));
    const entry: BufferEntry = { topic, content, receivedAt: this.slots.receivedAt(slot) };
    if (strings === undefined) return entry;
    if (strings.sender !== undefined) entry.sender = strings.sender;
    if (strings.sentAt !== undefined) entry.sentAt = strings.sentAt;
    if (strings.correlation_id !== undefined) entry.correlation_id = strings.correlation_id;
    if (strings.reply_to !== undefined) entry.reply_to = strings.reply_to;
    return entry;
  }

  private topicsFor(filter: string | undefined): string[] {
    if (filter === undefined) return [...this.topics.keys()];
    if (!hasWildcard(filter)) return this.topics.has(filter) ? [filter] : [];
    return [...this.topics.keys()].filter((topic) => topic === filter || matches(filter, topic));
  }

  private isExpired(receivedAt: number, now: number): boolean {
    return now - receivedAt > this.current.maxAgeSeconds * 1000;
  }

  private expire(now: number, counts: EvictionCounts): void {
    this.expireHeads(now, counts);
    if (this.outOfOrder) for (const topic of [...this.topics.keys()]) this.expireTopic(topic, now, counts);
  }

  /** Drops expired messages from the front of the arrival order; stops at the first one still fresh. */
  private expireHeads(now: number, counts: EvictionCounts): void {
    for (let slot = this.liveHead(); slot !== undefined && this.isExpired(this.slots.receivedAt(slot), now); slot = this.liveHead()) {
      this.dropHead();
      counts.age++;
    }
  }

  private expireTopic(topic: string, now: number, counts: EvictionCounts): void {
    const queue = this.topics.get(topic);
    if (!queue) return;
    queue.retain((slot) => {
      if (!this.isExpired(this.slots.receivedAt(slot), now)) return true;
      this.discard(slot);
      counts.age++;
      return false;
    });
    if (queue.length === 0) this.topics.delete(topic);
  }

  private enforceBytes(counts: EvictionCounts): void {
    while (this.bytes > this.current.maxBytes && this.liveHead() !== undefined) {
      this.dropHead();
      counts.bytes++;
    }
  }

  /** The oldest message still buffered, after skipping (and freeing) removed slots at the front of the order. */
  private liveHead(): Slot | undefined {
    let slot = this.order.peek();
    while (slot !== undefined && this.slots.removed(slot)) {
      this.order.shift();
      this.slots.free(slot);
      this.deadInOrder--;
      slot = this.order.peek();
    }
    return slot;
  }

  /** Removes the live head of the arrival order, which is also the oldest message of its topic. */
  private dropHead(): void {
    const slot = this.order.shift()!;
    const queue = this.slots.owner(slot);
    queue.shift();
    if (queue.length === 0) this.topics.delete(queue.topic);
    this.forget(slot);
    this.slots.free(slot);
  }

  private removeTopic(topic: string): number {
    const queue = this.topics.get(topic);
    if (!queue) return 0;
    for (const slot of queue.values()) this.discard(slot);
    this.topics.delete(topic);
    return queue.length;
  }

  /** Marks a slot taken out of its topic queue as removed; the arrival order drops (and frees) it lazily. */
  private discard(slot: Slot): void {
    this.slots.markRemoved(slot);
    this.deadInOrder++;
    this.forget(slot);
    if (this.deadInOrder > 1024 && this.deadInOrder > this.messages) {
      this.order.retain((s) => {
        if (!this.slots.removed(s)) return true;
        this.slots.free(s);
        return false;
      });
      this.deadInOrder = 0;
    }
  }

  private forget(slot: Slot): void {
    this.messages--;
    this.bytes -= this.slots.bytes(slot);
    this.ring.release(this.slots.length(slot));
    if (this.messages === 0) this.resetOrdering();
  }

  private resetOrdering(): void {
    this.newestReceivedAt = -Infinity;
    this.outOfOrder = false;
  }

  private tally(counts: EvictionCounts): EvictionCounts {
    this.totals.perTopic += counts.perTopic;
    this.totals.age += counts.age;
    this.totals.bytes += counts.bytes;
    return counts;
  }
}

/** The strings an entry carries besides its content, plus `text` (a content kept as a string); undefined when it has none. */
function rowStrings(entry: BufferEntry, text: string | undefined): RowStrings | undefined {
  const { sender, sentAt, correlation_id, reply_to } = entry;
  if (sender === undefined && sentAt === undefined && correlation_id === undefined && reply_to === undefined && text === undefined) return undefined;
  const strings: { -readonly [K in keyof RowStrings]: RowStrings[K] } = {};
  if (sender !== undefined) strings.sender = sender;
  if (sentAt !== undefined) strings.sentAt = sentAt;
  if (correlation_id !== undefined) strings.correlation_id = correlation_id;
  if (reply_to !== undefined) strings.reply_to = reply_to;
  if (text !== undefined) strings.text = text;
  return strings;
}

function noEvictions(): EvictionCounts {
  return { perTopic: 0, age: 0, bytes: 0 };
}

function checkLimits(limits: BufferLimits): BufferLimits {
  const { maxAgeSeconds, maxPerTopic, maxBytes } = limits;
  if (!(Number.isFinite(maxAgeSeconds) && maxAgeSeconds > 0)) {
    throw new RangeError(`buffer limit maxAgeSeconds must be a positive number of seconds, got ${maxAgeSeconds}`);
  }
  if (!(Number.isInteger(maxPerTopic) && maxPerTopic > 0)) {
    throw new RangeError(`buffer limit maxPerTopic must be a positive integer, got ${maxPerTopic}`);
  }
  if (!(Number.isInteger(maxBytes) && maxBytes > 0)) {
    throw new RangeError(`buffer limit maxBytes must be a positive integer, got ${maxBytes}`);
  }
  return { maxAgeSeconds, maxPerTopic, maxBytes };
}

/**
 * Shifts a queue takes before its array may be compacted. Small, because each of thousands
 * of topics has a queue: a busy topic's few messages must not sit at the end of an array
 * grown by every message it ever had.
 */
const COMPACT_AFTER = 16;

/** FIFO with O(1) amortised shift: a head index into an array compacted once half of it is spent. */
class Queue<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  *values(): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }

  /** Keeps the items for which `keep` is true, in order. */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (const item of this.values()) if (keep(item)) kept.push(item);
    this.items = kept;
    this.head = 0;
  }
}

/** A topic's messages, oldest first, with the one topic string they all share. */
class TopicQueue extends Queue<Slot> {
  readonly topicBytes: number;

  constructor(readonly topic: string) {
    super();
    this.topicBytes = Buffer.byteLength(topic, "utf8");
  }
}
