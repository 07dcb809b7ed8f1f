/**
 * A channel notification as Claude reads it: Claude Code turns `{content, meta}` into
 * `<channel source="plugin:mqtt:mqtt" k="v" …>`, a line break, the content, a line
 * break and `</channel>`: `source` first (Claude Code sets it from the plugin and server
 * names), then one attribute per meta key, in order. The bridge has already sanitised
 * the values (no quotes or angle brackets); a stray quote is still escaped here, so the
 * rendering can never be misread.
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

/** The `source` Claude Code gives the events of the plugin `mqtt`'s server `mqtt`. */
export const PLUGIN_SOURCE = "plugin:mqtt:mqtt";

export function channelTag(notification: ChannelNotification): string {
  const attributes = Object.entries({ source: PLUGIN_SOURCE, ...notification.meta }).map(([key, value]) => ` ${key}="${value.replace(/"/g, "&quot;")}"`);
  return `<channel${attributes.join("")}>\n${notification.content}\n</channel>`;
}
