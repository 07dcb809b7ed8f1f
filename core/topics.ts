/**
 * MQTT topic names and topic filters (MQTT 3.1.1 §4.7, MQTT 5 §4.7).
 *
 * Rules enforced here:
 * - Topic names and filters are at least one character and at most 65,535 UTF-8 bytes,
 *   and MQTT UTF-8 strings (MQTT 5 §1.5.4): well-formed UTF-8 (no UTF-16 surrogate
 *   without its pair) and no U+0000. The specification adds that senders should not use
 *   control characters (U+0001–U+001F, U+007F–U+009F) or non-characters (U+FDD0–U+FDEF,
 *   U+nFFFE, U+nFFFF), and that a receiver may close the connection over them. Mosquitto
 *   does, so they are refused here too.
 * - At most 200 levels. The specification sets no limit, but Mosquitto drops the
 *   connection of a client that subscribes to a filter with many more, so such a filter
 *   would cost the session its connection on every reconnect.
 * - `/` separates levels; empty levels are levels (`a//b` has three, `/a` has two).
 * - `+` matches exactly one level (an empty one too) and must fill its level.
 * - `#` matches any number of levels, including none — so `a/#` matches `a` —
 *   and must be the whole of the last level.
 * - A filter starting with a wildcard does not match a topic starting with `$`
 *   (`#` does not match `$SYS/broker/load`; `$SYS/#` does).
 * - Matching is case-sensitive and compares levels byte for byte.
 * - Topic names (what is published) contain no wildcards.
 */

export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\u0001-\u001F\u007F-\u009F]/;
const NON_CHARACTER = /[\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]/;

/** The code point at `index` as U+XXXX, for messages. */
function codePoint(value: string, index: number): string {
  return `U+${(value.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Why `value` is not an MQTT UTF-8 string a broker accepts, or undefined when it is. */
export function mqttStringProblem(value: string): string | undefined {
  if (value.includes("\u0000")) return "contains a NUL character (U+0000), which MQTT forbids";
  const lone = LONE_SURROGATE.exec(value);
  if (lone) return `is not well-formed UTF-8: a lone surrogate ${codePoint(value, lone.index)} at position ${lone.index}`;
  const control = CONTROL.exec(value);
  if (control) return `contains the control character ${codePoint(value, control.index)} at position ${control.index}, which brokers refuse`;
  const nonCharacter = NON_CHARACTER.exec(value);
  if (nonCharacter) return `contains the non-character ${codePoint(value, nonCharacter.index)} at position ${nonCharacter.index}, which brokers refuse`;
  return undefined;
}

const MAX_TOPIC_BYTES = 65_535;
export const MAX_TOPIC_LEVELS = 200;

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
  const problem = mqttStringProblem(value);
  if (problem) return `${kind} "${printable(value)}" ${problem}`;
  if (overByteLimit(value)) {
    return `${kind} is longer than ${MAX_TOPIC_BYTES} bytes, the MQTT limit`;
  }
  let levels = 1;
  for (let at = value.indexOf("/"); at >= 0 && levels <= MAX_TOPIC_LEVELS; at = value.indexOf("/", at + 1)) levels++;
  if (levels > MAX_TOPIC_LEVELS) return `${kind} has more than ${MAX_TOPIC_LEVELS} levels, more than brokers accept`;
  return undefined;
}

/** The value for a message: control characters escaped, cut to a readable length. */
function printable(value: string): string {
  const escaped = value.replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return escaped.length > 120 ? `${escaped.slice(0, 117)}...` : escaped;
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

/** True when some topic matches both filters (a broker then sends it once per subscription). */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; ; i++) {
    const p = x[i];
    const q = y[i];
    if (p === "#" || q === "#") return true;
    if (p === undefined || q === undefined) return p === q;
    if (p !== "+" && q !== "+" && p !== q) return false;
  }
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
