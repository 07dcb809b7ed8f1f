/**
 * The flow link's outbox on disk: admitted messages not yet delivered to Claude are
 * saved when the session stops (a deploy, a Node-RED restart) and loaded by the next
 * one, so a redeploy loses nothing a bridge had not acknowledged. Written atomically;
 * a file that cannot be parsed is moved aside and reported, never silently dropped.
 */
import { z } from "zod";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../core/json-depth.js";
import { FileSessionStore } from "../store.js";
import { channelMessageSchema, type ChannelMessage } from "./messages.js";

export interface OutboxStore {
  load(): ChannelMessage[];
  save(messages: readonly ChannelMessage[]): void;
}

const fileSchema = z.array(channelMessageSchema);

export function fileOutboxStore(path: string, report: (problem: string) => void): OutboxStore {
  const file = new FileSessionStore(path);
  return {
    load() {
      const loaded = file.load();
      if (loaded.kind === "missing") return [];
      if (loaded.kind === "unreadable") {
        report(`the link outbox ${path} could not be read (${loaded.error}); it is left as it is`);
        return [];
      }
      const problem = parseOutbox(loaded.text);
      if (typeof problem !== "string") return problem;
      report(`the link outbox ${path} is not valid (${problem}); it was moved aside to ${file.moveAside(new Date())}`);
      return [];
    },
    save(messages) {
      file.save(JSON.stringify(messages));
    },
  };
}

/** The messages, or why the text is not an outbox. */
function parseOutbox(text: string): ChannelMessage[] | string {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return `nests more than ${MAX_JSON_DEPTH} levels deep`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const parsed = fileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => `${issue.path.join(".") || "the file"}: ${issue.message}`).join("; ");
}
