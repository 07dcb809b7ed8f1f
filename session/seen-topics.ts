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
  /** Heard from since the eviction hand last passed it. */
  heard: boolean;
  /** When it was last recorded, in records: orders topics seen in the same millisecond. */
  order: number;
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
 * reuses the record it evicts for a new one. Eviction is a clock: the records stand in a
 * ring, and a hand goes round it taking the first record not heard from since it last
 * passed, so a busy topic stays and a topic heard once goes, at a constant cost per new
 * topic however many topics a flood brings.
 */
export class SeenTopics {
  private readonly topics = new Map<string, Seen>();
  private readonly ring: Seen[] = [];
  private hand = 0;
  private records = 0;

  constructor(private readonly maxTopics = DEFAULT_MAX_SEEN_TOPICS) {}

  get size(): number {
    return this.topics.size;
  }

  record(topic: string, tier: SeenTier, content: string, sender: string | undefined, now: number): void {
    let seen = this.topics.get(topic);
    if (seen) {
      seen.count++;
      seen.heard = true;
    } else {
      seen = this.evictOne();
      if (seen) {
        seen.topic = topic;
        seen.count = 1;
        seen.heard = false;
      } else {
        seen = { topic, count: 1, lastAt: now, tier, sender, content, heard: false, order: 0 };
        this.ring.push(seen);
      }
      this.topics.set(topic, seen);
    }
    seen.lastAt = now;
    seen.order = ++this.records;
    seen.tier = tier;
    seen.sender = sender;
    seen.content = kept(content);
  }

  /** Makes room when the bound is reached: the record taken out, to be reused in its place in the ring. */
  private evictOne(): Seen | undefined {
    if (this.ring.length < this.maxTopics) return undefined;
    for (;;) {
      const candidate = this.ring[this.hand]!;
      this.hand = (this.hand + 1) % this.ring.length;
      if (candidate.heard) {
        candidate.heard = false;
        continue;
      }
      this.topics.delete(candidate.topic);
      return candidate;
    }
  }

  /** Most recent first, up to `limit`, matching `filter` when given, without the ones `hidden` says to leave out. */
  list(limit: number, filter: string | undefined, hidden: (topic: string, sender: string | undefined) => boolean): SeenTopic[] {
    const out: SeenTopic[] = [];
    const entries = [...this.topics.values()].sort((a, b) => b.lastAt - a.lastAt || b.order - a.order);
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
