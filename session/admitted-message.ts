/**
 * An admitted message, ready to become a channel notification: one schema for the
 * session's events, the flow link's `event` frames and the outbox journal, which read it
 * back from places anyone may have written to.
 */
import { z } from "zod";
import { PAYLOAD_KINDS } from "../core/envelope.js";

const metaKey = z.string().regex(/^[A-Za-z0-9_]+$/);

export const admittedMessageSchema = z.object({
  topic: z.string().min(1),
  sender: z.string().optional(),
  content: z.string(),
  kind: z.enum(PAYLOAD_KINDS),
  receivedAt: z.number().finite(),
  sentAt: z.string().optional(),
  correlation_id: z.string().optional(),
  reply_to: z.string().optional(),
  retained: z.boolean().optional(),
  pattern: z.string(),
  /** Where the message came from: the session's own broker subscriptions, or a flow node. */
  via: z.enum(["mqtt", "flow"]),
  /** Extra meta (e.g. Home Assistant entity id), keys [A-Za-z0-9_]. */
  extra: z.record(metaKey, z.string()).optional(),
  /** Coalesced: the messages on the topic this notification stands for (2 or more), the first of them received at `firstAt`. */
  updates: z.number().int().min(2).optional(),
  firstAt: z.number().int().min(0).max(8.64e15).optional(),
  /** A digest: how many admitted messages were held beyond the per-minute cap (content says where). */
  held: z.number().int().min(1).optional(),
  /** The `ping` tool's probe, carrying its id. */
  ping: z.string().max(64).optional(),
});

export type AdmittedMessage = z.infer<typeof admittedMessageSchema>;
