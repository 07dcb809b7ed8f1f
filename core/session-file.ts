/**
 * The session file `<stateDir>/sessions/<name>.json`, in the reference plugin's format.
 *
 * Rules:
 * - A JSON object. Missing keys take the defaults: `admitted` [own inbox], `muted` [],
 *   `watched` [], `bufferMaxAge` 3600, `bufferMaxPerTopic` 50. An explicit empty `admitted`
 *   stays empty.
 * - `admitted`, `muted`, `watched`: arrays of strings (the patterns themselves are checked by
 *   the gate, not here). `bufferMaxAge`: seconds, > 0 and <= 86400. `bufferMaxPerTopic`:
 *   integer 1..10000. Optional, absent unless Claude chose them: `coalesceInterval` (seconds,
 *   0..3600) and `notifyPerMinute` (0..10000), Claude's pacing of admitted notifications.
 * - JSON nesting deeper than MAX_JSON_DEPTH levels is refused before it is parsed (the
 *   unknown keys it would sit in are written back, and writing recurses per level).
 * - Anything else (invalid JSON, a wrong type, a number out of range) is a SessionFileError
 *   naming each bad field and what it accepts; unlike the reference, it never falls back to the
 *   defaults, which the next write would then make permanent.
 * - Unknown keys are kept and written back after the known ones, in their original order.
 * - Written as 2-space JSON without a trailing newline.
 */

import { z } from "zod";
import {
  DEFAULT_BUFFER_AGE_SECONDS,
  DEFAULT_BUFFER_PER_TOPIC,
  MAX_BUFFER_AGE_SECONDS,
  MAX_BUFFER_PER_TOPIC,
  MAX_COALESCE_INTERVAL_SECONDS,
  MAX_NOTIFY_PER_MINUTE,
} from "./limits.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth.js";

export interface SessionConfig {
  admitted: string[];
  muted: string[];
  watched: string[];
  bufferMaxAge: number;
  bufferMaxPerTopic: number;
  coalesceInterval?: number;
  notifyPerMinute?: number;
  [extra: string]: unknown;
}


const KNOWN = ["admitted", "muted", "watched", "bufferMaxAge", "bufferMaxPerTopic", "coalesceInterval", "notifyPerMinute"] as const;
type Known = (typeof KNOWN)[number];

const patterns = z.array(z.string());
const FIELDS: Record<Known, { schema: z.ZodType; accepted: string }> = {
  admitted: { schema: patterns, accepted: "a list of topic or sender patterns (strings)" },
  muted: { schema: patterns, accepted: "a list of topic or sender patterns (strings)" },
  watched: { schema: patterns, accepted: "a list of topic or sender patterns (strings)" },
  bufferMaxAge: {
    schema: z.number().gt(0).max(MAX_BUFFER_AGE_SECONDS),
    accepted: `a number of seconds greater than 0 and at most ${MAX_BUFFER_AGE_SECONDS}`,
  },
  bufferMaxPerTopic: {
    schema: z.number().int().min(1).max(MAX_BUFFER_PER_TOPIC),
    accepted: `a whole number from 1 to ${MAX_BUFFER_PER_TOPIC}`,
  },
  coalesceInterval: {
    schema: z.number().min(0).max(MAX_COALESCE_INTERVAL_SECONDS),
    accepted: `a number of seconds from 0 to ${MAX_COALESCE_INTERVAL_SECONDS}`,
  },
  notifyPerMinute: {
    schema: z.number().int().min(0).max(MAX_NOTIFY_PER_MINUTE),
    accepted: `a whole number from 0 to ${MAX_NOTIFY_PER_MINUTE}`,
  },
};

export class SessionFileError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.name = "SessionFileError";
    this.problems = problems;
  }
}

export function defaultSessionConfig(inboxTopic: string): SessionConfig {
  return { admitted: [inboxTopic], muted: [], watched: [], bufferMaxAge: DEFAULT_BUFFER_AGE_SECONDS, bufferMaxPerTopic: DEFAULT_BUFFER_PER_TOPIC };
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isKnown(key: string): key is Known {
  return (KNOWN as readonly string[]).includes(key);
}

/** Sets an own property, so that a key such as `__proto__` stays data instead of changing the prototype. */
function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Parse file text (zod). Missing keys take defaults; unknown keys are preserved; wrong types or
 * out-of-range numbers, or invalid JSON → SessionFileError naming each field and what is accepted.
 */
export function parseSessionFile(text: string, inboxTopic: string): SessionConfig {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new SessionFileError([`nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; accepted: a JSON object of patterns and numbers`]);
  }
  let parsed: unknown;
  try {
    // A BOM (as some Windows editors write) is not JSON, but is harmless to drop.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SessionFileError([`not valid JSON (${reason}); accepted: a JSON object`]);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SessionFileError([`holds ${describe(parsed)}; accepted: a JSON object`]);
  }
  const file = parsed as Record<string, unknown>;

  const config = defaultSessionConfig(inboxTopic);
  const problems: string[] = [];
  for (const key of KNOWN) {
    if (!Object.prototype.hasOwnProperty.call(file, key)) continue;
    const value = file[key];
    const result = FIELDS[key].schema.safeParse(value);
    if (result.success) {
      setOwn(config, key, result.data);
      continue;
    }
    const at = result.error.issues[0]?.path[0];
    const got = typeof at === "number" && Array.isArray(value) ? `item ${at} is ${describe(value[at])}` : `got ${describe(value)}`;
    problems.push(`${key}: ${got}; accepted: ${FIELDS[key].accepted}`);
  }
  if (problems.length > 0) throw new SessionFileError(problems);

  for (const key of Object.keys(file)) {
    if (!isKnown(key)) setOwn(config, key, file[key]);
  }
  return config;
}

/** 2-space JSON, keys admitted, muted, watched, bufferMaxAge, bufferMaxPerTopic first, then extras in their order; no trailing newline (the reference's format). */
export function serializeSessionConfig(config: SessionConfig): string {
  const ordered: Record<string, unknown> = {};
  for (const key of KNOWN) {
    if (config[key] !== undefined) setOwn(ordered, key, config[key]);
  }
  for (const key of Object.keys(config)) {
    if (!isKnown(key)) setOwn(ordered, key, config[key]);
  }
  return JSON.stringify(ordered, null, 2);
}
