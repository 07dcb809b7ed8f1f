/** The admitted message as it travels from a flow-hosted session to the bridge. */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { admittedMessageSchema, type AdmittedMessage } from "../admitted-message.js";

export const channelMessageSchema = admittedMessageSchema.extend({
  /**
   * The message's identity from the moment it joins the outbox, kept in the journal: a message
   * a new epoch sends again (after a deploy or a restart) is known to a bridge that already
   * delivered it. Absent from older flows.
   */
  id: z.string().min(1).max(64).optional(),
});

export type ChannelMessage = z.infer<typeof channelMessageSchema>;

export function toChannelMessage(message: AdmittedMessage): ChannelMessage {
  return { id: randomUUID(), ...message };
}
