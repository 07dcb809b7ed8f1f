/**
 * The flow link's outbox on disk, as a journal: admitted messages not yet delivered to Claude
 * survive a deploy, a Node-RED restart and a `kill -9` of Node-RED.
 *
 * Rules:
 * - One JSON object per line: `{"add": <message>}` when a message joins the outbox (written
 *   before it is sent to a bridge), `{"drop": n}` when the first n left it (acknowledged by a
 *   bridge, or pushed out by a full outbox). Appends need no fsync to survive the process
 *   being killed: the kernel has the bytes.
 * - `save` writes the whole outbox anew, atomically (on stop, and whenever the journal has
 *   grown to COMPACT_LINES lines), so the file stays bounded by the outbox's own bound.
 * - Loading replays the journal. A file that cannot be read is left as it is and reported; a
 *   line that is not an entry (a torn last line, a file edited by hand) ends the replay: the
 *   file is moved aside, reported with how many messages were recovered, and those are kept.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../core/json-depth.js";
import { FileSessionStore } from "../store.js";
import { channelMessageSchema, type ChannelMessage } from "./messages.js";

export interface OutboxStore {
  load(): ChannelMessage[];
  /** A message joined the end of the outbox. */
  added(message: ChannelMessage): void;
  /** The first `count` messages left the outbox. */
  removed(count: number): void;
  /** True once the journal is long enough that `save` should rewrite it. */
  readonly wantsCompaction: boolean;
  /** Writes the whole outbox anew. */
  save(messages: readonly ChannelMessage[]): void;
}

/** Journal lines after which the outbox is rewritten whole. */
export const COMPACT_LINES = 2000;

const entrySchema = z.union([z.strictObject({ add: channelMessageSchema }), z.strictObject({ drop: z.number().int().positive() })]);

export function fileOutboxStore(path: string, report: (problem: string) => void): OutboxStore {
  const file = new FileSessionStore(path);
  let lines = 0;
  const append = (entry: z.infer<typeof entrySchema>): void => {
    if (lines === 0) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    appendFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    lines++;
  };
  return {
    load() {
      const loaded = file.load();
      if (loaded.kind === "missing") return [];
      if (loaded.kind === "unreadable") {
        report(`the link outbox ${path} could not be read (${loaded.error}); it is left as it is`);
        return [];
      }
      const replayed = replay(loaded.text);
      lines = loaded.text.split("\n").length;
      if (replayed.problem !== undefined) {
        report(
          `the link outbox ${path} is not valid (${replayed.problem}); ${replayed.messages.length} message(s) before that were recovered, and the file was moved aside to ${file.moveAside(new Date())}`,
        );
        file.save(journalOf(replayed.messages));
        lines = replayed.messages.length;
      }
      return replayed.messages;
    },
    added(message) {
      append({ add: message });
    },
    removed(count) {
      if (count > 0) append({ drop: count });
    },
    get wantsCompaction() {
      return lines >= COMPACT_LINES;
    },
    save(messages) {
      file.save(journalOf(messages));
      lines = messages.length;
    },
  };
}

function journalOf(messages: readonly ChannelMessage[]): string {
  return messages.map((message) => `${JSON.stringify({ add: message })}\n`).join("");
}

/** The outbox a journal describes, and why its replay stopped early, if it did. */
function replay(text: string): { messages: ChannelMessage[]; problem?: string } {
  const messages: ChannelMessage[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const entry = parseLine(line);
    if (typeof entry === "string") return { messages, problem: `line ${i + 1}: ${entry}` };
    if ("add" in entry) messages.push(entry.add);
    else messages.splice(0, entry.drop);
  }
  return { messages };
}

function parseLine(line: string): z.infer<typeof entrySchema> | string {
  if (nestsDeeperThan(line, MAX_JSON_DEPTH)) return `nests more than ${MAX_JSON_DEPTH} levels deep`;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const parsed = entrySchema.safeParse(json);
  return parsed.success ? parsed.data : "not an outbox entry";
}
