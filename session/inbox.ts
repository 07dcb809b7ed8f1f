/** The inbox tool's reading of the watched buffer: a summary by topic, the messages under a filter, or clearing. */
import type { WatchedBuffer } from "../core/buffer.js";
import { validatePattern } from "../core/topics.js";
import type { InboxRead, InboxResult } from "./api.js";
import { SessionError } from "./errors.js";

/**
 * With a filter and `clear`, only the messages listed are cleared: a message Claude has not
 * seen is never cleared with the rest.
 */
export function readInbox(buffer: WatchedBuffer, read: InboxRead, now: number): InboxResult {
  if (read.filter === undefined) {
    if (read.clear) return { kind: "cleared", cleared: buffer.clear() };
    return { kind: "summary", ...buffer.summary(now, read.limit) };
  }
  const invalid = validatePattern(read.filter);
  if (invalid) throw new SessionError(`Invalid topic or pattern: ${invalid}`);
  const all = buffer.read(read.filter, now);
  const messages = all.slice(0, read.limit ?? all.length);
  const cleared = read.clear ? buffer.clearFirst(read.filter, messages.length) : 0;
  return { kind: "messages", filter: read.filter, messages, remaining: all.length - messages.length, cleared };
}
