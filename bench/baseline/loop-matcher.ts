/**
 * The reference plugin's gate (claude-code-mqtt §8 and §10), re-implemented as it
 * works there, to serve as the baseline: every list is an array, and a message is
 * checked against one pattern after another, each check splitting pattern and
 * topic on `/`. Kept out of core on purpose: it is the thing core improves on.
 *
 * Matching rules (§10), in order: the pattern equals the sender; the pattern equals
 * the topic; the pattern is `#`; or a level-wise walk where a `#` level matches the
 * rest, a `+` level matches one level (an empty one too), anything else must be
 * equal, and both must run out together.
 */

export function referenceMatches(pattern: string, sender: string, topic: string): boolean {
  if (pattern === sender) return true;
  if (pattern === topic) return true;
  if (pattern === "#") return true;
  const patternParts = pattern.split("/");
  const topicParts = topic.split("/");
  for (let i = 0; i < patternParts.length; i++) {
    if (patternParts[i] === "#") return true;
    if (i >= topicParts.length) return false;
    if (patternParts[i] !== "+" && patternParts[i] !== topicParts[i]) return false;
  }
  return patternParts.length === topicParts.length;
}

export function referenceMatchesAny(patterns: readonly string[], sender: string, topic: string): boolean {
  return patterns.some((pattern) => referenceMatches(pattern, sender, topic));
}

export type ReferenceTier = "admitted" | "watched" | "dropped";

export interface ReferenceLists {
  admitted: string[];
  watched: string[];
  muted: string[];
}

/**
 * §8 steps 4, 6, 8, 9 and 10 (own echo, mute, admit, watch, discard). The reference
 * reads a missing sender as "unknown". Size, decoding and correlation happen before
 * the gate in both implementations and are not part of this comparison.
 */
export class ReferenceGate {
  constructor(
    private readonly lists: ReferenceLists,
    private readonly ownName: string,
  ) {}

  classify(topic: string, sender: string | undefined): ReferenceTier {
    const from = sender ?? "unknown";
    if (from === this.ownName) return "dropped";
    if (referenceMatchesAny(this.lists.muted, from, topic)) return "dropped";
    if (referenceMatchesAny(this.lists.admitted, from, topic)) return "admitted";
    if (referenceMatchesAny(this.lists.watched, from, topic)) return "watched";
    return "dropped";
  }
}
