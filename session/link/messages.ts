/** The admitted message as it travels from a flow-hosted session to the bridge. */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { AdmittedMessage } from "../types.js";

const metaKey = z.string().regex(/^[A-Za-z0-9_]+$/);

export const channelMessageSchema = z.object({
  /**
   * The message's identity from the moment it joins the outbox, kept in the journal: a message
   * a new epoch sends again (after a deploy or a restart) is known to a bridge that already
   * delivered it. Absent from older flows.
   */
  id: z.string().min(1).max(64).optional(),
  topic: z.string().min(1),
  sender: z.string().optional(),
  content: z.string(),
  kind: z.enum(["envelope", "json", "text", "binary", "oversize"]),
  receivedAt: z.number().finite(),
  sentAt: z.string().optional(),
  correlation_id: z.string().optional(),
  reply_to: z.string().optional(),
  retained: z.boolean().optional(),
  pattern: z.string(),
  via: z.enum(["mqtt", "flow"]),
  extra: z.record(metaKey, z.string()).optional(),
  updates: z.number().int().min(2).optional(),
  firstAt: z.number().int().min(0).max(8.64e15).optional(),
  held: z.number().int().min(1).optional(),
  ping: z.string().max(64).optional(),
});

export type ChannelMessage = z.infer<typeof channelMessageSchema>;

export function toChannelMessage(message: AdmittedMessage): ChannelMessage {
  return { id: randomUUID(), ...message };
}
