/**
 * The topics a session has seen, for the `topics` tool: per topic how many messages, when
 * the last came, its tier and the start of its payload. Bounded: past `maxTopics` the topic
 * heard from longest ago is forgotten. Muted messages are never recorded.
 */
import { matches } from "../core/topics.js";

export type SeenTier = "admitted" | "watched" | "dropped" | "reply";

interface Seen {
  count: number;
  lastAt: number;
  tier: SeenTier;
  sender: string | undefined;
  /** The whole last content; cut to a preview only when listed, which is rare next to recording. */
  content: string;
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

export class SeenTopics {
  private readonly topics = new Map<string, Seen>();

  constructor(private readonly maxTopics = DEFAULT_MAX_SEEN_TOPICS) {}

  get size(): number {
    return this.topics.size;
  }

  record(topic: string, tier: SeenTier, content: string, sender: string | undefined, now: number): void {
    const seen = this.topics.get(topic);
    if (seen) {
      // Most recent last: Map keeps insertion order.
      this.topics.delete(topic);
      seen.count++;
      seen.lastAt = now;
      seen.tier = tier;
      seen.sender = sender;
      seen.content = content;
      this.topics.set(topic, seen);
      return;
    }
    this.topics.set(topic, { count: 1, lastAt: now, tier, sender, content });
    if (this.topics.size > this.maxTopics) {
      const oldest = this.topics.keys().next().value;
      if (oldest !== undefined) this.topics.delete(oldest);
    }
  }

  /** Most recent first, up to `limit`, matching `filter` when given, without the ones `hidden` says to leave out. */
  list(limit: number, filter: string | undefined, hidden: (topic: string, sender: string | undefined) => boolean): SeenTopic[] {
    const out: SeenTopic[] = [];
    const entries = [...this.topics];
    for (let i = entries.length - 1; i >= 0 && out.length < limit; i--) {
      const [topic, seen] = entries[i]!;
      if (filter !== undefined && !matches(filter, topic)) continue;
      if (hidden(topic, seen.sender)) continue;
      out.push({
        topic,
        count: seen.count,
        lastAt: seen.lastAt,
        tier: seen.tier,
        ...(seen.sender !== undefined ? { sender: seen.sender } : {}),
        preview: seen.content.length > PREVIEW_CHARS ? `${seen.content.slice(0, PREVIEW_CHARS - 1)}…` : seen.content,
      });
    }
    return out;
  }
}
