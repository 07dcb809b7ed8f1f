/**
 * The retained status of a session on `<prefix>/sessions/<name>/status`. Online
 * heartbeats, the graceful offline message and the Last Will share one shape, so a
 * monitor reads them all the same way:
 * `{status, session, ts, lastSeen, startedAt, instance, host, heartbeat}`.
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

const statusSchema = z
  .object({
    status: z.enum(["online", "offline"]),
    session: z.string().optional(),
    ts: z.string().optional(),
    lastSeen: z.string().optional(),
    startedAt: z.string().optional(),
    instance: z.string().optional(),
    host: z.enum(["bridge", "flow"]).optional(),
    heartbeat: z.number().positive().optional(),
    reason: z.string().optional(),
  })
  .passthrough();

export type ReceivedStatus = z.infer<typeof statusSchema>;

export function parseStatus(payload: Buffer | string): ReceivedStatus | undefined {
  const text = payload.toString();
  // Anyone may publish here; a status worth reading is a few flat fields.
  if (nestsDeeperThan(text, 8)) return undefined;
  try {
    const parsed = statusSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Not JSON: not a status this package can read; the directory lists it as unreadable.
    return undefined;
  }
}

/** Online when a status says so and its last heartbeat is within 2.5 intervals. */
export function isStale(status: ReceivedStatus, now: number): boolean {
  if (status.status !== "online") return false;
  const seen = Date.parse(status.lastSeen ?? status.ts ?? "");
  if (Number.isNaN(seen)) return true;
  const interval = (status.heartbeat ?? 60) * 1000;
  return now - seen > interval * 2.5;
}
