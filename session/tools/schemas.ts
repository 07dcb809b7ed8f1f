/**
 * Tool arguments, parsed with zod wherever a tool call arrives (the MCP server and
 * the flow's RPC endpoint). Names and parameters are those of claude-code-mqtt;
 * booleans must be real booleans (the string "false" is refused, not taken as true)
 * and numbers out of range are errors, not silent clamps.
 */
import { z } from "zod";
import { MAX_BUFFER_AGE_SECONDS, MAX_BUFFER_PER_TOPIC, MAX_COALESCE_INTERVAL_SECONDS, MAX_NOTIFY_PER_MINUTE } from "../../core/limits.js";

const nonEmpty = (what: string) => z.string({ error: `"${what}" must be a string` }).min(1, { error: `"${what}" must be a non-empty string` });
const bool = (what: string) => z.boolean({ error: `"${what}" must be a boolean (true or false)` }).optional();

/** An optional number from `min` to `max`, in seconds or (`whole`) a count. */
function bounded(what: string, min: number, max: number, kind: "seconds" | "whole") {
  const unit = kind === "seconds" ? " seconds" : "";
  const number = z.number({ error: `"${what}" must be a number${kind === "seconds" ? " of seconds" : ""}` });
  return (kind === "whole" ? number.int({ error: `"${what}" must be a whole number` }) : number)
    .min(min, { error: `"${what}" must be between ${min} and ${max}${unit}` })
    .max(max, { error: `"${what}" must be between ${min} and ${max}${unit}` })
    .optional();
}

const publish = z.object({
  topic: nonEmpty("topic").describe("MQTT topic to publish to"),
  text: z.string({ error: `"text" must be a string (it may be empty, e.g. to clear a retained message)` }).describe("Message body"),
  correlation_id: z.string({ error: `"correlation_id" must be a string` }).optional().describe("Correlation ID, when answering a request"),
  retain: bool("retain").describe("Retain the message on the broker (default false)"),
  raw: bool("raw").describe("Send the text as is, without the JSON envelope (for devices; default false)"),
  qos: z
    .union([z.literal(0), z.literal(1), z.literal(2)], { error: `"qos" must be 0, 1 or 2` })
    .optional()
    .describe("QoS for this message (default: the session's QOS)"),
});

export const toolSchemas = {
  reply: publish,
  publish,
  request: z.object({
    target: nonEmpty("target").describe("Name of the session to ask"),
    text: nonEmpty("text").describe("The request"),
    timeout: z
      .number({ error: `"timeout" must be a number of seconds` })
      .min(1, { error: `"timeout" must be between 1 and 600 seconds` })
      .max(600, { error: `"timeout" must be between 1 and 600 seconds` })
      .optional()
      .describe("Seconds to wait for the reply (1-600; default MQTT_REQUEST_TIMEOUT)"),
  }),
  inbox: z.object({
    topic: z.string({ error: `"topic" must be a string` }).optional().describe("Topic or pattern (e.g. home/#) to read; omit for a summary"),
    clear: bool("clear").describe("Remove what matches after reading (without topic: empty the whole buffer)"),
    limit: z
      .number({ error: `"limit" must be a number` })
      .int({ error: `"limit" must be a whole number` })
      .min(1, { error: `"limit" must be between 1 and 1000` })
      .max(1000, { error: `"limit" must be between 1 and 1000` })
      .optional()
      .describe("Most messages to show, oldest first (default 100)"),
  }),
  watch: z.object({ pattern: nonEmpty("pattern").describe("Sender name or MQTT topic filter") }),
  unwatch: z.object({ pattern: nonEmpty("pattern").describe("Pattern to stop watching") }),
  admit: z.object({ pattern: nonEmpty("pattern").describe("Sender name or MQTT topic filter") }),
  mute: z.object({ pattern: nonEmpty("pattern").describe("Sender name or MQTT topic filter") }),
  unadmit: z.object({ pattern: nonEmpty("pattern").describe("Pattern to remove from the admitted list") }),
  unmute: z.object({ pattern: nonEmpty("pattern").describe("Pattern to remove from the muted list") }),
  config: z.object({
    bufferMaxAge: bounded("bufferMaxAge", 1, MAX_BUFFER_AGE_SECONDS, "seconds").describe(`Seconds a watched message is kept (1-${MAX_BUFFER_AGE_SECONDS})`),
    bufferMaxPerTopic: bounded("bufferMaxPerTopic", 1, MAX_BUFFER_PER_TOPIC, "whole").describe(`Messages kept per topic (1-${MAX_BUFFER_PER_TOPIC})`),
    coalesceInterval: bounded("coalesceInterval", 0, MAX_COALESCE_INTERVAL_SECONDS, "seconds").describe(
      `At most one notification per admitted topic per this many seconds, carrying the latest value (0-${MAX_COALESCE_INTERVAL_SECONDS}; not below the owner's minimum)`,
    ),
    notifyPerMinute: bounded("notifyPerMinute", 0, MAX_NOTIFY_PER_MINUTE, "whole").describe(
      "Most admitted notifications per minute; beyond it they are held for inbox and summed up in one digest (0: no cap; not above the owner's maximum)",
    ),
  }),
  subscribe: z.object({ topic: nonEmpty("topic").describe("MQTT topic filter") }),
  unsubscribe: z.object({ topic: nonEmpty("topic").describe("MQTT topic filter") }),
  status: z.object({}),
  sessions: z.object({}),
  topics: z.object({
    pattern: z.string({ error: `"pattern" must be a string` }).optional().describe("Only topics matching this filter (e.g. home/#)"),
    limit: z
      .number({ error: `"limit" must be a number` })
      .int({ error: `"limit" must be a whole number` })
      .min(1, { error: `"limit" must be between 1 and 200` })
      .max(200, { error: `"limit" must be between 1 and 200` })
      .optional()
      .describe("Most topics to list, most recent first (default 50)"),
  }),
  ping: z.object({
    timeout: z
      .number({ error: `"timeout" must be a number of seconds` })
      .min(1, { error: `"timeout" must be between 1 and 60 seconds` })
      .max(60, { error: `"timeout" must be between 1 and 60 seconds` })
      .optional()
      .describe("Seconds to wait for the probe (1-60; default 10)"),
  }),
} as const;

export type ToolName = keyof typeof toolSchemas;
export type ToolArgs<N extends ToolName> = z.infer<(typeof toolSchemas)[N]>;

/** The reference's order, then our additions. */
export const TOOL_NAMES: readonly ToolName[] = [
  "reply",
  "publish",
  "request",
  "inbox",
  "watch",
  "unwatch",
  "admit",
  "mute",
  "unadmit",
  "unmute",
  "config",
  "subscribe",
  "unsubscribe",
  "status",
  "sessions",
  "topics",
  "ping",
];

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(toolSchemas, name);
}

/**
 * A one-line explanation of why arguments were refused, naming each bad argument.
 * The error must come from a parse with `{ reportInput: true }`: without the input,
 * a wrong type cannot be told from a missing argument.
 */
export function describeArgumentError(tool: string, error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    const path = issue.path.join(".");
    if (issue.code === "invalid_type" && issue.input === undefined) return `"${path}" is required`;
    return issue.message;
  });
  return `Invalid arguments for ${tool}: ${parts.join("; ")}`;
}
