/**
 * A channel notification as Claude reads it: Claude Code turns `{content, meta}` into
 * `<channel k="v" …>content</channel>`, one attribute per meta key, in order.
 * The bridge has already sanitised the values (no quotes or angle brackets); a stray
 * quote is still escaped here, so the rendering can never be misread.
 */
import { z } from "zod";
import type { ChannelNotification } from "../session/notification.js";

const notificationParams = z.object({
  content: z.string(),
  meta: z.record(z.string(), z.string()).optional(),
});

/** The params of a `notifications/claude/channel`, or undefined when they are not one. */
export function parseChannelParams(params: unknown): ChannelNotification | undefined {
  const parsed = notificationParams.safeParse(params);
  return parsed.success ? { content: parsed.data.content, meta: parsed.data.meta ?? {} } : undefined;
}

export function channelTag(notification: ChannelNotification): string {
  const attributes = Object.entries(notification.meta).map(([key, value]) => ` ${key}="${value.replace(/"/g, "&quot;")}"`);
  return `<channel${attributes.join("")}>${notification.content}</channel>`;
}
