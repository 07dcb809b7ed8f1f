/**
 * The retained status of a session on `<prefix>/sessions/<name>/status`. Online
 * heartbeats, the graceful offline message and the Last Will share one shape, so a
 * monitor reads them all the same way:
 * `{status, session, ts, lastSeen, startedAt, instance, host, heartbeat}`.
 *
 * The Last Will is the exception in one point: it is fixed when the session connects and
 * published by the broker when the connection is lost (at once, or about 1.5 keepalives
 * after the session's last packet), so it cannot know when the session was last alive.
 * It carries no `ts` and no `lastSeen`, but `connectedAt`; the session was last known
 * alive at the `lastSeen` of its last heartbeat, which readers that saw it keep.
 */
import { z } from "zod";
import { nestsDeeperThan } from "../core/json-depth.js";
import type { HostKind } from "./types.js";

export interface StatusPayload {
  status: "online" | "offline";
  session: string;
  ts: string;
  lastSeen: string;
  startedAt: string;
  /** Random per running instance: tells two instances started in the same millisecond apart. */
  instance: string;
  host: HostKind;
  /** Seconds between heartbeats, so others can tell a stale status. */
  heartbeat: number;
  reason?: string;
  [extra: string]: unknown;
}

/** The Last Will's payload: the status's shape without the times it cannot know. */
export type WillPayload = Omit<StatusPayload, "ts" | "lastSeen"> & { connectedAt: string };

/** A status is a few short fields; anything larger is not one (ours are under 1 KB). */
export const MAX_STATUS_BYTES = 4096;

/** A time as this package writes it; anything else (free text above all) is not a status. */
const timestamp = z.string().max(40).refine((text) => !Number.isNaN(Date.parse(text)), "not a time");
/** One short line: what a status's free-text fields may hold. */
const shortLine = (max: number) => z.string().max(max).regex(/^[^\u0000-\u001f\u007f]*$/, "control characters");

const statusSchema = z
  .object({
    status: z.enum(["online", "offline"]),
    session: shortLine(200).optional(),
    ts: timestamp.optional(),
    lastSeen: timestamp.optional(),
    connectedAt: timestamp.optional(),
    startedAt: timestamp.optional(),
    instance: shortLine(64).optional(),
    host: z.enum(["bridge", "flow"]).optional(),
    heartbeat: z.number().positive().optional(),
    reason: shortLine(200).optional(),
  })
  .passthrough();

export type ReceivedStatus = z.infer<typeof statusSchema>;

/**
 * Reads a status anyone may have published: over MAX_STATUS_BYTES, nested, not JSON, or
 * with a field that is not what this package writes (a time that is not a time, a line
 * break), it is not a status (undefined).
 */
export function parseStatus(payload: Buffer | string): ReceivedStatus | undefined {
  const bytes = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  if (bytes > MAX_STATUS_BYTES) return undefined;
  const text = payload.toString();
  if (nestsDeeperThan(text, 8)) return undefined;
  try {
    const parsed = statusSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Not JSON: not a status this package can read; the directory lists it as unreadable.
    return undefined;
  }
}

/** A Last Will names no last-seen time: the status heard before it, if it had one, gives it. */
export function withLastSeenBefore<T extends { lastSeen?: string; ts?: string }>(status: T, before: { lastSeen?: string } | undefined): T {
  if (status.lastSeen || status.ts || !before?.lastSeen) return status;
  return { ...status, lastSeen: before.lastSeen };
}

/** Online when a status says so and its last heartbeat is within 2.5 intervals. */
export function isStale(status: ReceivedStatus, now: number): boolean {
  if (status.status !== "online") return false;
  const seen = Date.parse(status.lastSeen ?? status.ts ?? "");
  if (Number.isNaN(seen)) return true;
  const interval = (status.heartbeat ?? 60) * 1000;
  return now - seen > interval * 2.5;
}
