/**
 * Recognising what reaches the session but is not news: payloads it published itself
 * (a raw publish carries no sender to recognise it by), retained messages re-sent
 * unchanged after every (re)subscribe, and one message arriving by both paths (the
 * session's own subscription and a flow's claude-gate). Each remembers a bounded
 * number of topics; the oldest is forgotten first.
 */
import { createHash } from "node:crypto";

const RECENT_TOPICS = 10_000;

function hashPayload(payload: Buffer | string): string {
  return createHash("sha1").update(payload).digest("base64");
}

function rememberBounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > RECENT_TOPICS) map.delete(map.keys().next().value as string);
}

export class RecentPublishes {
  private readonly byTopic = new Map<string, Set<string>>();

  /** Notes a payload about to be published; the returned function takes it back (the publish failed). */
  remember(topic: string, payload: string | Buffer): () => void {
    const hash = hashPayload(payload);
    const recent = this.byTopic.get(topic) ?? new Set<string>();
    recent.add(hash);
    rememberBounded(this.byTopic, topic, recent);
    return () => recent.delete(hash);
  }

  /** True (once) when `raw` is a payload this session published to `topic`. */
  consume(topic: string, raw: Buffer): boolean {
    const recent = this.byTopic.get(topic);
    if (!recent) return false;
    const hash = hashPayload(raw);
    if (!recent.delete(hash)) return false;
    if (recent.size === 0) this.byTopic.delete(topic);
    return true;
  }
}

export class RetainedSeen {
  private readonly lastByTopic = new Map<string, string>();

  /** True when `raw` is the retained payload already seen on `topic`; otherwise remembers it. */
  isRepeat(topic: string, raw: Buffer): boolean {
    const hash = hashPayload(raw);
    if (this.lastByTopic.get(topic) === hash) return true;
    rememberBounded(this.lastByTopic, topic, hash);
    return false;
  }
}

/** Contents up to this many characters are remembered as they are, longer ones by their hash. */
const SHORT_CONTENT = 256;

/** How long the same message by the other path counts as the same message. */
const CROSS_PATH_WINDOW_MS = 2000;

/**
 * A flow that feeds an `mqtt in` into claude-gate, on the broker the session itself
 * subscribes to, would hand the session each matching message twice. The second copy,
 * by the other path within a short window, is a duplicate. Only a session hosted by a
 * flow has two paths; the bridge's session is never asked and hashes nothing.
 */
export class CrossPathDuplicates {
  private readonly recent = new Map<string, { via: string; at: number }>();

  isDuplicate(topic: string, content: string, via: string, now: number): boolean {
    // Short contents are their own key (a hash costs more than the comparison); long ones are hashed, to bound memory.
    const key = content.length <= SHORT_CONTENT ? `${topic}\u0000=${content}` : `${topic}\u0000#${hashPayload(content)}`;
    const seen = this.recent.get(key);
    if (seen && seen.via !== via && now - seen.at <= CROSS_PATH_WINDOW_MS) {
      this.recent.delete(key);
      return true;
    }
    rememberBounded(this.recent, key, { via, at: now });
    return false;
  }
}
