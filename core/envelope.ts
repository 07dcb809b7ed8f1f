/**
 * The message envelope: what a session publishes, and how any MQTT payload is read.
 *
 * Outbound (`wrapEnvelope`): JSON `{sender, ts, content}` in that key order, plus
 * `correlation_id` and `reply_to` only when they are non-empty.
 *
 * Inbound (`parseInbound`), checked in this order:
 * - `oversize`: more than `maxBytes` bytes (exactly `maxBytes` passes). Not decoded; the
 *   content is a report naming the size and the limit.
 * - `binary`: not valid UTF-8, or containing a control character other than tab, LF and
 *   CR (C0 and DEL). The content is a report with the size, never the bytes themselves.
 * - `envelope`: a JSON object with a `content` key whose value is not null. A string
 *   content is used as is; any other value (object, array, number, boolean) is kept
 *   as its JSON text.
 * - `json`: any other valid JSON (arrays, numbers, strings, objects without content).
 *   The content is the payload text.
 * - `text`: everything else, malformed JSON included. The content is the payload text.
 *   So is JSON nesting deeper than MAX_JSON_DEPTH levels: it is not parsed (walking it
 *   would overflow the stack), and `nested` says so, for the counters.
 * A leading UTF-8 byte order mark is stripped. From any JSON object, `sender`,
 * `correlation_id`, `reply_to` and `ts` (as `sentAt`) are taken only when they are
 * non-empty strings. The sender is whatever the publisher claimed: a label, never
 * an identity.
 */

import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth.js";
import { LONE_SURROGATE } from "./topics.js";

export interface EnvelopeFields {
  sender: string;
  content: string;
  correlation_id?: string;
  reply_to?: string;
}

/** JSON text of {sender, ts, content} + correlation_id / reply_to only when non-empty. ts = now.toISOString(). */
export function wrapEnvelope(fields: EnvelopeFields, now: Date): string {
  const envelope: Record<string, string> = {
    sender: fields.sender,
    ts: now.toISOString(),
    content: fields.content,
  };
  if (fields.correlation_id) envelope.correlation_id = fields.correlation_id;
  if (fields.reply_to) envelope.reply_to = fields.reply_to;
  return JSON.stringify(envelope);
}

export const PAYLOAD_KINDS = ["envelope", "json", "text", "binary", "oversize"] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

export interface InboundMessage {
  kind: PayloadKind;
  /** Claimed sender; undefined when the payload named none (display as "unknown"). */
  sender?: string;
  /** Text for the model. */
  content: string;
  /** The envelope's own `ts`, when a string. */
  sentAt?: string;
  correlation_id?: string;
  reply_to?: string;
  /** Payload size in bytes. */
  bytes: number;
  /** JSON nested too deeply to be read as JSON: passed on as text. */
  nested?: true;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const CONTROL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function parseInbound(payload: Uint8Array | string, maxBytes: number): InboundMessage {
  if (!(maxBytes >= 0) || !Number.isFinite(maxBytes)) {
    throw new RangeError(`maxBytes must be a non-negative number, got ${maxBytes}`);
  }
  const bytes = typeof payload === "string" ? Buffer.byteLength(payload, "utf8") : payload.byteLength;
  if (bytes > maxBytes) {
    return { kind: "oversize", content: `[payload of ${bytes} bytes dropped: over the ${maxBytes}-byte limit]`, bytes };
  }
  const text = decode(payload);
  if (text === undefined || CONTROL_CHAR.test(text)) {
    return { kind: "binary", content: `[binary payload, ${bytes} bytes]`, bytes };
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return { kind: "text", content: text, bytes, nested: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "text", content: text, bytes };
  }
  if (!isObject(parsed)) return { kind: "json", content: text, bytes };
  const content = Object.hasOwn(parsed, "content") ? parsed.content : undefined;
  const message: InboundMessage =
    content === undefined || content === null
      ? { kind: "json", content: text, bytes }
      : { kind: "envelope", content: typeof content === "string" ? content : JSON.stringify(content), bytes };
  addClaimedFields(message, parsed);
  return message;
}

/**
 * The payload's bytes when they are the UTF-8 of the message's content (a `json` or `text`
 * payload without a byte order mark), so that a copy of the content need not be encoded
 * again; undefined otherwise. `message` must be what `parseInbound` made of `payload`.
 */
export function contentBytesOf(message: InboundMessage, payload: Uint8Array): Uint8Array | undefined {
  if (message.kind !== "json" && message.kind !== "text") return undefined;
  const bom = payload.length >= 3 && payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf;
  return bom ? undefined : payload;
}

/** The sender as shown to the model: "unknown" when the payload named none. */
export function displaySender(sender: string | undefined): string {
  return sender ? sender : "unknown";
}

/** UTF-8 text without a leading BOM, or undefined when the payload is not valid UTF-8. */
function decode(payload: Uint8Array | string): string | undefined {
  if (typeof payload === "string") {
    // A lone surrogate has no UTF-8 encoding: such a string did not come from valid UTF-8.
    if (LONE_SURROGATE.test(payload)) return undefined;
    return payload.charCodeAt(0) === 0xfeff ? payload.slice(1) : payload;
  }
  try {
    return utf8.decode(payload); // strips the BOM (ignoreBOM defaults to false)
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Copies the claimed fields a parsed object has onto `message` (set one by one: this runs for every JSON payload). */
function addClaimedFields(message: InboundMessage, object: Record<string, unknown>): void {
  const sender = nonEmptyString(object, "sender");
  const sentAt = nonEmptyString(object, "ts");
  const correlationId = nonEmptyString(object, "correlation_id");
  const replyTo = nonEmptyString(object, "reply_to");
  if (sender !== undefined) message.sender = sender;
  if (sentAt !== undefined) message.sentAt = sentAt;
  if (correlationId !== undefined) message.correlation_id = correlationId;
  if (replyTo !== undefined) message.reply_to = replyTo;
}

function nonEmptyString(object: Record<string, unknown>, key: string): string | undefined {
  if (!Object.hasOwn(object, key)) return undefined;
  const value = object[key];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
