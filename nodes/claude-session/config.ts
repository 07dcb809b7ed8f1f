/**
 * The claude-session node's properties, parsed once when the node starts.
 *
 * Rules (the editor applies the same ones before deploy):
 * - `name`: a session name as core/session-name validates it (never silently changed).
 * - `broker`: a URL with protocol mqtt, mqtts, ws, wss, tcp or ssl and a host.
 * - `prefix`: default `claude`; topic levels without wildcards, not starting with `$` or `/`.
 * - `qos` 0, 1 or 2 (default 1); `heartbeat` whole seconds, default 60.
 * - `bufferMaxAge`, `bufferMaxPerTopic`: empty means "as the session file says" (Claude's
 *   `config` tool may change them); a value is the owner's and is applied on every start.
 * - `coalesceInterval` (seconds, 0..3600, default 5; 0: off) and `notifyPerMinute` (0..10000,
 *   default 30; 0: no cap): the owner's bounds for pacing admitted notifications.
 * - `admitted`, `watched`, `muted`: lists of valid MQTT topic filters (or sender names).
 * - `tls`: the id of a tls-config node, or empty.
 * Numbers may arrive as numbers or as digit strings (how the editor stores them).
 * Every bad property is reported, each naming the property and what it accepts.
 */
import { z } from "zod";
import type { NodeDef } from "node-red";
import { MAX_BUFFER_AGE_SECONDS, MAX_BUFFER_PER_TOPIC, MAX_COALESCE_INTERVAL_SECONDS, MAX_NOTIFY_PER_MINUTE } from "../../core/session-file.js";
import { validateSessionName } from "../../core/session-name.js";
import { brokerUrlReason, BROKER_PROTOCOLS, MAX_TIMER_SECONDS, topicPrefixReason } from "../../core/settings.js";
import { validatePattern } from "../../core/topics.js";
import { DEFAULT_PACING, type PacingLimits } from "../../session/pacing.js";
import type { GateLists } from "../../session/types.js";
import { checkedText, describeIssues, digitsToNumber, orDefault } from "../shared/props.js";

export interface SessionNodeDef extends NodeDef {
  broker?: unknown;
  prefix?: unknown;
  qos?: unknown;
  heartbeat?: unknown;
  bufferMaxAge?: unknown;
  bufferMaxPerTopic?: unknown;
  coalesceInterval?: unknown;
  notifyPerMinute?: unknown;
  admitted?: unknown;
  watched?: unknown;
  muted?: unknown;
  tls?: unknown;
}

export interface SessionNodeConfig {
  name: string;
  broker: string;
  prefix: string;
  qos: 0 | 1 | 2;
  heartbeat: number;
  bufferMaxAge?: number;
  bufferMaxPerTopic?: number;
  pacing: PacingLimits;
  pinned: GateLists;
  tls?: string;
}

export type ParsedSessionConfig = { ok: true; config: SessionNodeConfig } | { ok: false; problems: string[] };

function wholeNumber(min: number, max: number, unit: string): z.ZodType<number> {
  const accepted = `a whole number${unit} from ${min} to ${max}`;
  return z.preprocess(
    digitsToNumber,
    z
      .number({ error: `not a number; accepted: ${accepted}` })
      .int(`not a whole number; accepted: ${accepted}`)
      .min(min, `below ${min}; accepted: ${accepted}`)
      .max(max, `above ${max}; accepted: ${accepted}`),
  );
}

const patternList = z.preprocess(
  orDefault([]),
  z.array(z.string({ error: "holds something other than text; accepted: MQTT topic filters" }), {
    error: "not a list; accepted: a list of MQTT topic filters",
  }).check((ctx) => {
    for (const pattern of ctx.value) {
      const reason = validatePattern(pattern);
      if (reason) ctx.issues.push({ code: "custom", message: reason, input: pattern });
    }
  }),
);

const schema = z.object({
  // validateSessionName's messages already say what is allowed.
  name: checkedText(validateSessionName),
  broker: z.preprocess(
    (value) => (typeof value === "string" ? value.trim() : value),
    checkedText(
      (url) => (url === "" ? "empty" : brokerUrlReason(url)),
      `a URL such as mqtt://host:1883, with protocol ${BROKER_PROTOCOLS.join(", ")}`,
    ),
  ),
  prefix: z.preprocess(
    orDefault("claude"),
    checkedText(topicPrefixReason, 'topic levels without "+", "#" or NUL, not starting with "$" or "/", e.g. claude'),
  ),
  qos: z.preprocess(
    (value) => digitsToNumber(value) ?? 1,
    z.union([z.literal(0), z.literal(1), z.literal(2)], { error: "not an MQTT QoS level; accepted: 0, 1 or 2" }),
  ),
  heartbeat: z.preprocess((value) => digitsToNumber(value) ?? 60, wholeNumber(1, MAX_TIMER_SECONDS, " of seconds")),
  bufferMaxAge: z.preprocess(
    digitsToNumber,
    z
      .number({ error: `not a number; accepted: seconds, more than 0 and at most ${MAX_BUFFER_AGE_SECONDS}, or empty` })
      .gt(0, `accepted: seconds, more than 0 and at most ${MAX_BUFFER_AGE_SECONDS}, or empty`)
      .max(MAX_BUFFER_AGE_SECONDS, `accepted: seconds, more than 0 and at most ${MAX_BUFFER_AGE_SECONDS}, or empty`)
      .optional(),
  ),
  bufferMaxPerTopic: z.preprocess(digitsToNumber, wholeNumber(1, MAX_BUFFER_PER_TOPIC, "").optional()),
  coalesceInterval: z.preprocess(
    (value) => digitsToNumber(value) ?? DEFAULT_PACING.intervalSeconds,
    z
      .number({ error: `not a number; accepted: seconds from 0 to ${MAX_COALESCE_INTERVAL_SECONDS} (0: off)` })
      .min(0, `accepted: seconds from 0 to ${MAX_COALESCE_INTERVAL_SECONDS} (0: off)`)
      .max(MAX_COALESCE_INTERVAL_SECONDS, `accepted: seconds from 0 to ${MAX_COALESCE_INTERVAL_SECONDS} (0: off)`),
  ),
  notifyPerMinute: z.preprocess((value) => digitsToNumber(value) ?? DEFAULT_PACING.perMinute, wholeNumber(0, MAX_NOTIFY_PER_MINUTE, "")),
  admitted: patternList,
  watched: patternList,
  muted: patternList,
  tls: z.preprocess(orDefault(undefined), z.string({ error: "not a tls-config node id" }).optional()),
});

export function parseSessionConfig(def: SessionNodeDef): ParsedSessionConfig {
  const result = schema.safeParse(def);
  if (!result.success) {
    return { ok: false, problems: describeIssues(result.error) };
  }
  const { admitted, watched, muted, bufferMaxAge, bufferMaxPerTopic, coalesceInterval, notifyPerMinute, tls, ...rest } = result.data;
  const pacing = { intervalSeconds: coalesceInterval, perMinute: notifyPerMinute };
  const config: SessionNodeConfig = { ...rest, pacing, pinned: { admitted, watched, muted } };
  if (bufferMaxAge !== undefined) config.bufferMaxAge = bufferMaxAge;
  if (bufferMaxPerTopic !== undefined) config.bufferMaxPerTopic = bufferMaxPerTopic;
  if (tls !== undefined) config.tls = tls;
  return { ok: true, config };
}
