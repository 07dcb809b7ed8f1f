/**
 * MQTT topic names and topic filters (MQTT 3.1.1 §4.7, MQTT 5 §4.7).
 *
 * Rules enforced here:
 * - Topic names and filters are at least one character and at most 65,535 UTF-8 bytes,
 *   and never contain U+0000.
 * - `/` separates levels; empty levels are levels (`a//b` has three, `/a` has two).
 * - `+` matches exactly one level (an empty one too) and must fill its level.
 * - `#` matches any number of levels, including none — so `a/#` matches `a` —
 *   and must be the whole of the last level.
 * - A filter starting with a wildcard does not match a topic starting with `$`
 *   (`#` does not match `$SYS/broker/load`; `$SYS/#` does).
 * - Matching is case-sensitive and compares levels byte for byte.
 * - Topic names (what is published) contain no wildcards.
 */

const MAX_TOPIC_BYTES = 65_535;

/**
 * True when `value` is over the byte limit. A string of n UTF-16 units is at most 3n UTF-8
 * bytes, so only long strings are encoded (TextEncoder: the editor runs this code too).
 */
function overByteLimit(value: string): boolean {
  return value.length * 3 > MAX_TOPIC_BYTES && new TextEncoder().encode(value).length > MAX_TOPIC_BYTES;
}

function checkCommon(kind: "pattern" | "topic", value: string): string | undefined {
  if (typeof value !== "string") return `${kind} must be a string`;
  if (value.length === 0) return `${kind} is empty; it needs at least one character`;
  if (value.includes("\u0000")) return `${kind} "${printable(value)}" contains a NUL character, which MQTT forbids`;
  if (overByteLimit(value)) {
    return `${kind} is longer than ${MAX_TOPIC_BYTES} bytes, the MQTT limit`;
  }
  return undefined;
}

function printable(value: string): string {
  return value.replace(/\u0000/g, "\\0");
}

/** Why `pattern` is not a valid MQTT topic filter, or `undefined` when it is. */
export function validatePattern(pattern: string): string | undefined {
  const common = checkCommon("pattern", pattern);
  if (common) return common;
  const levels = pattern.split("/");
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes("#")) {
      if (level !== "#") {
        const before = pattern.slice(0, pattern.indexOf("#")).replace(/\/+$/, "");
        return `pattern "${pattern}": "#" must fill a whole level, as in "${before ? `${before}/#` : "#"}"`;
      }
      if (i !== levels.length - 1) {
        return `pattern "${pattern}": "#" is only allowed as the last level (e.g. "${levels.slice(0, i + 1).join("/")}")`;
      }
    }
    if (level.includes("+") && level !== "+") {
      return `pattern "${pattern}": "+" must fill a whole level, as in "a/+/c"; "${level}" mixes it with other characters`;
    }
  }
  return undefined;
}

/** True when `pattern` is a valid MQTT topic filter. */
export function isValidPattern(pattern: string): boolean {
  return validatePattern(pattern) === undefined;
}

/** Why `topic` is not a valid topic name to publish to, or `undefined` when it is. */
export function validateTopic(topic: string): string | undefined {
  const common = checkCommon("topic", topic);
  if (common) return common;
  if (topic.includes("+") || topic.includes("#")) {
    return `topic "${topic}" contains a wildcard ("+" or "#"); publish needs a concrete topic`;
  }
  return undefined;
}

/** True when `topic` is a valid topic name to publish to (`validateTopic` finds nothing wrong); the gate asks this for every message. */
export function isValidTopic(topic: string): boolean {
  if (topic.length === 0 || topic.includes("+") || topic.includes("#") || topic.includes("\u0000")) return false;
  return !overByteLimit(topic);
}

/** True when `pattern` contains a `+` or `#` level. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes("+") || pattern.includes("#");
}

/**
 * True when the topic filter `pattern` matches the topic name `topic`.
 * An invalid pattern matches nothing, and neither does an invalid topic name
 * (one holding a wildcard included: `a/+` is a filter, never a topic).
 */
export function matches(pattern: string, topic: string): boolean {
  if (!isValidTopic(topic) || !isValidPattern(pattern)) return false;
  if (pattern === topic) return true;
  if (topic.startsWith("$") && (pattern.startsWith("+") || pattern.startsWith("#"))) return false;
  const filterLevels = pattern.split("/");
  const topicLevels = topic.split("/");
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === "#") return true;
    if (i >= topicLevels.length) return false;
    if (level !== "+" && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}
