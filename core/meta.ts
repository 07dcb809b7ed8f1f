/**
 * The `meta` of a channel notification, which Claude Code renders as attributes of the
 * `<channel …>` tag around the content.
 *
 * Rules:
 * - Keys keep only `[A-Za-z0-9_]`; every other character becomes `_`, and a key starting
 *   with a digit gets a leading `_`. Claude Code silently drops any other key, so a
 *   topic-derived name such as `user-prop.id` must be reduced, not passed through.
 * - When two keys reduce to the same name, the first one wins: list trusted fields
 *   (topic, ts) before publisher-chosen ones so these cannot overwrite them.
 * - Undefined and empty values are left out; an empty key is left out.
 * - Values are publisher-controlled and how Claude Code escapes them is undocumented,
 *   so `< > " ; [ ]` become `_`, and control characters (C0, DEL, C1, line and paragraph
 *   separators, bidirectional overrides) become a space: a value can neither close
 *   the tag, forge another attribute, nor break the line.
 * - Values are capped (256 characters by default) and end in `…` when cut.
 */

const DEFAULT_MAX_LENGTH = 256;
const ELLIPSIS = "\u2026";
const TAG_SYNTAX = /[<>";[\]]/g;
const CONTROL = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Channel notification meta: keys reduced to [A-Za-z0-9_] (others replaced by "_"), values sanitised; undefined/empty values skipped. */
export function channelMeta(fields: Record<string, string | undefined>): Record<string, string> {
  const meta = new Map<string, string>();
  for (const [rawKey, value] of Object.entries(fields)) {
    if (value === undefined || value === "") continue;
    const key = metaKey(rawKey);
    if (key === "" || meta.has(key)) continue;
    meta.set(key, sanitizeMetaValue(value));
  }
  // fromEntries defines own properties, so even a key named "__proto__" stays a plain entry.
  return Object.fromEntries(meta);
}

/** Replaces < > " ; [ ] CR LF (and other control chars) with a space or safe char, caps length (default 256) with an ellipsis. */
export function sanitizeMetaValue(value: string, maxLength: number = DEFAULT_MAX_LENGTH): string {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  }
  const clean = value.replace(TAG_SYNTAX, "_").replace(CONTROL, " ").replace(LONE_SURROGATE, "\uFFFD");
  if (clean.length <= maxLength) return clean;
  let cut = clean.slice(0, maxLength - 1);
  // Do not split a surrogate pair: half of one is not a character.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + ELLIPSIS;
}

function metaKey(raw: string): string {
  const key = raw.replace(/[^A-Za-z0-9_]/gu, "_");
  return /^[0-9]/.test(key) ? `_${key}` : key;
}
