/**
 * An admitted message as a Claude Code channel notification: `{content, meta}`.
 * Meta keys are the reference's (`topic`, `sender`, `ts`, plus `correlation_id` /
 * `reply_to` when present) and a few of ours (`tier`, `reply_with`, `sent_ts`,
 * `retained`, `payload`, `via`, `updates` / `first_ts` when coalesced, `held` on a
 * digest, `ping` on the ping tool's probe, Home Assistant fields); every key and value
 * goes through core's sanitiser, because topic names and senders are chosen by whoever
 * publishes. No `source`: Claude Code sets it (`plugin:mqtt:mqtt`), and one in meta
 * would be a second attribute of that name.
 *
 * A turn that a channel event starts carries no server instructions, so each
 * notification says what it is: `tier` names the list that let it through, and a
 * request says how to answer it (`reply_with`).
 */
import { channelMeta } from "../core/meta.js";
import { displaySender } from "../core/envelope.js";
import type { AdmittedMessage } from "./types.js";

export const CHANNEL_METHOD = "notifications/claude/channel";

export interface ChannelNotification {
  content: string;
  meta: Record<string, string>;
}

const TRUSTED_KEYS = new Set([
  "source",
  "tier",
  "reply_with",
  "topic",
  "sender",
  "ts",
  "correlation_id",
  "reply_to",
  "sent_ts",
  "retained",
  "payload",
  "via",
  "updates",
  "first_ts",
  "held",
  "ping",
]);

function withoutKeys(fields: Record<string, string> | undefined, keys: Set<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([key]) => !keys.has(key)));
}

export function toNotification(message: AdmittedMessage): ChannelNotification {
  return {
    content: message.content,
    // Trusted fields first: on a key clash after sanitising, channelMeta keeps the first.
    meta: channelMeta({
      tier: "admitted",
      topic: message.topic,
      sender: displaySender(message.sender),
      ts: new Date(message.receivedAt).toISOString(),
      correlation_id: message.correlation_id,
      reply_to: message.reply_to,
      reply_with: replyWith(message),
      sent_ts: message.sentAt,
      retained: message.retained ? "true" : undefined,
      payload: message.kind === "binary" || message.kind === "oversize" ? message.kind : undefined,
      via: message.via === "flow" ? "flow" : undefined,
      updates: message.updates !== undefined ? String(message.updates) : undefined,
      first_ts: message.firstAt !== undefined ? new Date(message.firstAt).toISOString() : undefined,
      held: message.held !== undefined ? String(message.held) : undefined,
      ping: message.ping,
      ...withoutKeys(message.extra, TRUSTED_KEYS),
    }),
  };
}

/** How to answer a request (a message with both reply_to and correlation_id), in the tool's own terms. */
function replyWith(message: AdmittedMessage): string | undefined {
  if (!message.reply_to || !message.correlation_id) return undefined;
  return `mqtt reply tool: topic=${message.reply_to}, correlation_id=${message.correlation_id}`;
}
