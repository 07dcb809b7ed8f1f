/**
 * How deeply a JSON text nests, found by one pass over its characters, without
 * parsing it. `JSON.stringify` (and every walk of a parsed value) recurses once per
 * level, so a payload of 10,000 nested arrays, 20 KB in all, overflows the stack:
 * anything from outside is measured here before such code sees it.
 *
 * Brackets inside strings do not count; escapes are followed. The text need not be
 * valid JSON: the answer is about the brackets only.
 */

/** Nesting allowed in payloads, link frames and files: far beyond any real message. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** True when `text` nests arrays and objects more than `max` levels deep. */
export function nestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  // Every level takes an opening and a closing bracket.
  if (text.length <= max * 2) return false;
  if (!hasMoreOpeningBrackets(text, max)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** True when `text` holds more than `max` opening brackets, in strings or not: found with native searches, far quicker than a walk. */
function hasMoreOpeningBrackets(text: string, max: number): boolean {
  let count = 0;
  for (let at = text.indexOf("{"); at !== -1 && count <= max; at = text.indexOf("{", at + 1)) count++;
  for (let at = text.indexOf("["); at !== -1 && count <= max; at = text.indexOf("[", at + 1)) count++;
  return count > max;
}
