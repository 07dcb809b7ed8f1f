/**
 * The flow link: how a bridge (Claude Code's MCP server) works through a session
 * hosted by a Node-RED flow, over the same broker. Described for third parties in
 * docs/link-protocol.md; this module is its single implementation of the wire format.
 *
 * Every frame is JSON `{v, type, ts, nonce, from, body, sig}`. `sig` is the hex
 * HMAC-SHA256, under the shared link key, of `v`, `type`, `ts`, `nonce`, `from`, the
 * topic the frame is published on, and the JSON of `body`, joined by "\n". Binding the
 * topic stops a frame captured on one topic being replayed on another. A receiver
 * refuses (and counts) frames that are malformed, unsigned or wrongly signed, older or
 * newer than the allowed clock skew, or whose nonce it has already seen.
 *
 * A nonce cache lives as long as one start of the flow's session. What a bridge asks the
 * flow to do (`call`, `permission`, `bye`) therefore names the start it is meant for, the
 * flow's `epoch`: a frame captured before a deploy or a restart is refused by every later
 * start (`other-epoch`), however soon it is sent again.
 *
 * Anyone who can publish on the link's topics can send anything, so a frame is measured
 * before it is read: one over MAX_FRAME_BYTES, or nesting deeper than MAX_FRAME_DEPTH
 * levels, is refused before it is parsed, and so before the signature check walks it.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { permissionRequestSchema, verdictSchema } from "../../core/permission-requests.js";
import { nestsDeeperThan } from "../../core/json-depth.js";
import { channelMessageSchema } from "./messages.js";

export const LINK_PROTOCOL_VERSION = 1;
/** Frames whose timestamp is further than this from the receiver's clock are refused. */
export const MAX_CLOCK_SKEW_MS = 60_000;
/** An event carries one message of at most MQTT_MAX_PAYLOAD_BYTES, escaped as JSON: room for the largest. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** A frame is a few levels of fields; tool arguments add a few more. */
export const MAX_FRAME_DEPTH = 32;

const nonEmpty = z.string().min(1);
/** A tool's answer: its text, or its data (status, config, ping; see tools/run.ts), never both. */
const toolResult = z.union([
  z.object({ id: nonEmpty, text: z.string(), isError: z.boolean() }).strict(),
  z.object({ id: nonEmpty, data: z.record(z.string(), z.unknown()), isError: z.literal(false) }).strict(),
]);

/**
 * Frame bodies by type. Bridge → flow: hello, call, ack, bye, permission. Flow → bridge:
 * welcome, result, event, verdict. In bridge mode `permission` also goes from the bridge
 * to an approver and `verdict` back, signed with the approver key (docs/permission-relay.md).
 */
export const bodySchemas = {
  hello: z.object({ bridge: nonEmpty, replyTopic: nonEmpty, epoch: z.string().optional(), lastSeq: z.number().int().nonnegative().optional() }),
  /** `epoch`: the start of the flow's session the call is meant for (absent from older bridges: refused with a result saying so). */
  call: z.object({ id: nonEmpty, tool: nonEmpty, args: z.unknown(), epoch: nonEmpty.optional() }),
  ack: z.object({ epoch: nonEmpty, seq: z.number().int().nonnegative() }),
  bye: z.object({ bridge: nonEmpty, epoch: nonEmpty.optional() }),
  welcome: z.object({
    session: nonEmpty,
    epoch: nonEmpty,
    firstSeq: z.number().int().nonnegative(),
    lastSeq: z.number().int().nonnegative(),
    droppedWhileAway: z.number().int().nonnegative(),
    /** A claude-permission node answers this session's permission requests (absent in older flows: none). */
    approver: z.boolean().optional(),
  }),
  result: toolResult,
  event: z.object({ epoch: nonEmpty, seq: z.number().int().positive(), message: channelMessageSchema }),
  permission: permissionRequestSchema.extend({ expires: z.string().optional(), epoch: nonEmpty.optional() }),
  verdict: verdictSchema,
} as const;

export type FrameType = keyof typeof bodySchemas;
export type FrameBody<T extends FrameType> = z.infer<(typeof bodySchemas)[T]>;

const frameSchema = z.object({
  v: z.literal(LINK_PROTOCOL_VERSION),
  type: z.enum(Object.keys(bodySchemas) as [FrameType, ...FrameType[]]),
  ts: z.string(),
  nonce: z.string().min(16).max(64),
  // Becomes part of a reply topic, so no wildcards, no separators.
  from: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  body: z.unknown(),
  sig: z.string().regex(/^[0-9a-f]{64}$/),
});

export type RefusalReason =
  | "malformed"
  | "oversize"
  | "nested"
  | "unsigned"
  | "bad-signature"
  | "stale"
  | "replayed"
  | "unexpected-type"
  | "other-epoch";

export type Received<T extends FrameType = FrameType> =
  | { ok: true; type: T; from: string; body: FrameBody<T> }
  | { ok: false; reason: RefusalReason; detail: string };

function canonical(fields: { v: number; type: string; ts: string; nonce: string; from: string; body: unknown }, topic: string): string {
  return [fields.v, fields.type, fields.ts, fields.nonce, fields.from, topic, JSON.stringify(fields.body)].join("\n");
}

function sign(key: string, text: string): string {
  return createHmac("sha256", key).update(text).digest("hex");
}

/** Builds a signed frame for `topic`. */
export function encodeFrame<T extends FrameType>(key: string, topic: string, type: T, from: string, body: FrameBody<T>, now = new Date()): string {
  const fields = { v: LINK_PROTOCOL_VERSION, type, ts: now.toISOString(), nonce: randomBytes(16).toString("base64url"), from, body };
  return JSON.stringify({ ...fields, sig: sign(key, canonical(fields, topic)) });
}

/**
 * Remembers nonces for the skew window, so a captured frame can't be replayed. When more
 * than `max` arrive within the window, the oldest are forgotten and every frame sent at or
 * before the latest forgotten one is refused from then on: forgetting never reopens a replay.
 */
export class NonceCache {
  private readonly seen = new Map<string, { sentAt: number; at: number }>();
  private sentFloor = -Infinity;

  constructor(private readonly windowMs = 2 * MAX_CLOCK_SKEW_MS, private readonly max = 100_000) {}

  /** Returns false when the nonce was already seen, or the frame is no newer than one forgotten. */
  remember(nonce: string, sentAt: number, now: number): boolean {
    this.expire(now);
    if (sentAt <= this.sentFloor || this.seen.has(nonce)) return false;
    this.seen.set(nonce, { sentAt, at: now });
    if (this.seen.size > this.max) {
      const [oldest, entry] = this.seen.entries().next().value as [string, { sentAt: number }];
      this.seen.delete(oldest);
      this.sentFloor = Math.max(this.sentFloor, entry.sentAt);
    }
    return true;
  }

  private expire(now: number): void {
    for (const [nonce, { at }] of this.seen) {
      if (now - at <= this.windowMs) break;
      this.seen.delete(nonce);
    }
  }
}

/** Parses and verifies a frame received on `topic`, accepting only the given types. */
export function decodeFrame<T extends FrameType>(
  key: string,
  topic: string,
  payload: Buffer | string,
  accept: readonly T[],
  nonces: NonceCache,
  now = Date.now(),
): Received<T> {
  const bytes = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  if (bytes > MAX_FRAME_BYTES) return { ok: false, reason: "oversize", detail: `${bytes} bytes, over the ${MAX_FRAME_BYTES}-byte limit` };
  const text = payload.toString();
  if (nestsDeeperThan(text, MAX_FRAME_DEPTH)) return { ok: false, reason: "nested", detail: `nests more than ${MAX_FRAME_DEPTH} levels deep` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "malformed", detail: "not JSON" };
  }
  if (typeof json === "object" && json !== null && !("sig" in json)) {
    return { ok: false, reason: "unsigned", detail: "frame carries no signature" };
  }
  const frame = frameSchema.safeParse(json);
  if (!frame.success) return { ok: false, reason: "malformed", detail: frame.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  const f = frame.data;
  const expected = Buffer.from(sign(key, canonical(f, topic)), "hex");
  if (!timingSafeEqual(expected, Buffer.from(f.sig, "hex"))) {
    return { ok: false, reason: "bad-signature", detail: "signature does not match the link key" };
  }
  const sent = Date.parse(f.ts);
  if (Number.isNaN(sent) || Math.abs(now - sent) > MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: "stale", detail: `timestamp ${f.ts} is outside the allowed ${MAX_CLOCK_SKEW_MS / 1000}s skew` };
  }
  if (!(accept as readonly string[]).includes(f.type)) {
    return { ok: false, reason: "unexpected-type", detail: `"${f.type}" frames are not accepted on ${topic}` };
  }
  if (!nonces.remember(f.nonce, sent, now)) return { ok: false, reason: "replayed", detail: "nonce already seen" };
  const body = bodySchemas[f.type as T].safeParse(f.body);
  if (!body.success) {
    return { ok: false, reason: "malformed", detail: body.error.issues.map((i) => `body.${i.path.join(".")}: ${i.message}`).join("; ") };
  }
  return { ok: true, type: f.type as T, from: f.from, body: body.data as FrameBody<T> };
}

/** Counts of refused frames by reason, shown by the status tool and the sidebar. */
export type RefusalCounts = Record<RefusalReason, number>;

export function emptyRefusals(): RefusalCounts {
  return { malformed: 0, oversize: 0, nested: 0, unsigned: 0, "bad-signature": 0, stale: 0, replayed: 0, "unexpected-type": 0, "other-epoch": 0 };
}

/** Link topics of a session: tool calls come in on `rpc`; each bridge gets replies on `rpc/<bridge>`. */
export function replyTopic(rpcTopic: string, bridgeId: string): string {
  return `${rpcTopic}/${bridgeId}`;
}
