/**
 * The topics a session has seen, for the `topics` tool: per topic how many messages, when
 * the last came, its tier and the start of its payload. Bounded: past `maxTopics` a topic
 * not heard from for long is forgotten. Muted messages are never recorded.
 */
import { matches } from "../core/topics.js";

export type SeenTier = "admitted" | "watched" | "dropped" | "reply";

interface Seen {
  topic: string;
  count: number;
  lastAt: number;
  tier: SeenTier;
  sender: string | undefined;
  /** The last content; cut to a preview only when listed, which is rare next to recording (a long one: see `kept`). */
  content: string;
  /** When (in insertions) it last moved to the back of the eviction order. */
  movedAt: number;
}

export interface SeenTopic {
  topic: string;
  count: number;
  lastAt: number;
  tier: SeenTier;
  sender?: string;
  preview: string;
}

export const DEFAULT_MAX_SEEN_TOPICS = 1000;
const PREVIEW_CHARS = 80;
/**
 * Contents up to this length are kept as they are. A longer one is kept as its preview, copied
 * out: a slice of a string keeps the whole string alive, and 1,000 topics' last payloads of up
 * to the payload limit each would otherwise be held beside the buffer's byte bound.
 */
const KEPT_WHOLE_CHARS = 1024;

function previewOf(content: string): string {
  return content.length > PREVIEW_CHARS ? `${content.slice(0, PREVIEW_CHARS - 1)}…` : content;
}

function kept(content: string): string {
  return content.length <= KEPT_WHOLE_CHARS ? content : Buffer.from(previewOf(content), "utf8").toString("utf8");
}

/**
 * Recording runs for every message, so it allocates nothing for a topic already known and
 * reuses the record it evicts for a new one. The eviction order is the Map's order: a topic
 * moves to its back when it has not moved for half the bound's insertions, which keeps busy
 * topics away from the front without a move per message.
 */
export class SeenTopics {
  private readonly topics = new Map<string, Seen>();
  private insertions = 0;

  constructor(private readonly maxTopics = DEFAULT_MAX_SEEN_TOPICS) {}

  get size(): number {
    return this.topics.size;
  }

  record(topic: string, tier: SeenTier, content: string, sender: string | undefined, now: number): void {
    let seen = this.topics.get(topic);
    if (seen) {
      if (this.insertions - seen.movedAt > this.maxTopics / 2) {
        this.topics.delete(topic);
        this.topics.set(topic, seen);
        seen.movedAt = this.insertions;
      }
      seen.count++;
    } else {
      this.insertions++;
      seen = this.evictOne() ?? { topic, count: 0, lastAt: now, tier, sender, content, movedAt: 0 };
      seen.topic = topic;
      seen.count = 1;
      seen.movedAt = this.insertions;
      this.topics.set(topic, seen);
    }
    seen.lastAt = now;
    seen.tier = tier;
    seen.sender = sender;
    seen.content = kept(content);
  }

  /** Makes room when the bound is reached: the record taken out, to be reused. */
  private evictOne(): Seen | undefined {
    if (this.topics.size < this.maxTopics) return undefined;
    const first = this.topics.values().next();
    if (first.done) return undefined;
    this.topics.delete(first.value.topic);
    return first.value;
  }

  /** Most recent first, up to `limit`, matching `filter` when given, without the ones `hidden` says to leave out. */
  list(limit: number, filter: string | undefined, hidden: (topic: string, sender: string | undefined) => boolean): SeenTopic[] {
    const out: SeenTopic[] = [];
    // Newest in the Map's order first, so that topics seen in the same millisecond keep their order.
    const entries = [...this.topics.values()].reverse().sort((a, b) => b.lastAt - a.lastAt);
    for (const seen of entries) {
      if (out.length >= limit) break;
      const { topic } = seen;
      if (filter !== undefined && !matches(filter, topic)) continue;
      if (hidden(topic, seen.sender)) continue;
      out.push({
        topic,
        count: seen.count,
        lastAt: seen.lastAt,
        tier: seen.tier,
        ...(seen.sender !== undefined ? { sender: seen.sender } : {}),
        preview: previewOf(seen.content),
      });
    }
    return out;
  }
}
