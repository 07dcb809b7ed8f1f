/**
 * Claude Code's permission requests, relayed to an approver (a claude-permission node, or
 * in bridge mode whoever holds the approver key), and their verdicts.
 *
 * Rules:
 * - A request is `{request_id, tool_name, description, input_preview}` as Claude Code
 *   sends it (`notifications/claude/channel/permission_request`); the texts are untrusted
 *   and bounded here so a huge one cannot grow a buffer or a notification without limit.
 * - At most `max` requests wait at once; one more is refused (and counted), not queued.
 * - Each waits `ttlMs`, then expires (Claude Code's own terminal prompt stays open and
 *   may answer first: the relay is never told, so its requests must expire).
 * - The first verdict wins; a verdict for an id that is not waiting — unknown, already
 *   decided or expired — is dropped and counted, by reason.
 * - Time is an argument (`now`, epoch ms): nothing here keeps a timer.
 */
import { z } from "zod";

const MAX_TEXT = 10_000;

const text = (what: string) => z.string({ error: `"${what}" must be a string` }).max(MAX_TEXT, { error: `"${what}" is longer than ${MAX_TEXT} characters` });

export const permissionRequestSchema = z.object({
  request_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: '"request_id" must be 1-64 letters, digits, "_" or "-"' }),
  tool_name: text("tool_name").min(1),
  description: text("description"),
  input_preview: text("input_preview"),
});

export type PermissionRequest = z.infer<typeof permissionRequestSchema>;

export type Behavior = "allow" | "deny";

export const verdictSchema = z.object({
  request_id: permissionRequestSchema.shape.request_id,
  behavior: z.enum(["allow", "deny"], { error: '"behavior" must be "allow" or "deny"' }),
});

export type Verdict = z.infer<typeof verdictSchema>;

/** `allow` / `deny`, `true` / `false` (any case for the words): the verdict a flow message or a phone button means. */
export function behaviorOf(value: unknown): Behavior | undefined {
  if (value === true) return "allow";
  if (value === false) return "deny";
  if (typeof value !== "string") return undefined;
  const word = value.trim().toLowerCase();
  if (word === "allow" || word === "true") return "allow";
  if (word === "deny" || word === "false") return "deny";
  return undefined;
}

export interface PendingRequest extends PermissionRequest {
  receivedAt: number;
  expiresAt: number;
  /** Who asked (the bridge's id on the flow link), where the verdict goes. */
  from?: string;
}

export type Decision = { kind: "decided"; request: PendingRequest } | { kind: "unknown" } | { kind: "expired" };

export interface PermissionCounts {
  requested: number;
  allowed: number;
  denied: number;
  expired: number;
  /** Refused because `max` were already waiting. */
  full: number;
  /** Verdicts dropped: the id was never waiting, or no longer (decided). */
  unknownVerdicts: number;
  /** Verdicts dropped: they came after the request expired. */
  lateVerdicts: number;
}

/** How many requests may wait, and for how long: Claude is paused while one waits, so a few, for minutes. */
export const PERMISSION_LIMITS = { max: 20, ttlMs: 10 * 60_000 };

export class PendingPermissions {
  private readonly waiting = new Map<string, PendingRequest>();
  /** Ids that expired recently, to tell a late verdict from an unknown one (bounded like `waiting`). */
  private readonly expiredIds = new Set<string>();
  private readonly counts: PermissionCounts = { requested: 0, allowed: 0, denied: 0, expired: 0, full: 0, unknownVerdicts: 0, lateVerdicts: 0 };

  constructor(private readonly limits: { max: number; ttlMs: number }) {}

  /** Adds a request; undefined when `max` are waiting already (counted). A repeated id replaces nothing. */
  add(request: PermissionRequest, now: number, from?: string): PendingRequest | undefined {
    this.prune(now);
    if (this.waiting.has(request.request_id)) return this.waiting.get(request.request_id);
    if (this.waiting.size >= this.limits.max) {
      this.counts.full++;
      return undefined;
    }
    const { request_id, tool_name, description, input_preview } = request;
    const pending: PendingRequest = { request_id, tool_name, description, input_preview, receivedAt: now, expiresAt: now + this.limits.ttlMs, ...(from ? { from } : {}) };
    this.waiting.set(request.request_id, pending);
    this.counts.requested++;
    return pending;
  }

  decide(verdict: Verdict, now: number): Decision {
    this.prune(now);
    const pending = this.waiting.get(verdict.request_id);
    if (!pending) {
      if (this.expiredIds.has(verdict.request_id)) {
        this.counts.lateVerdicts++;
        return { kind: "expired" };
      }
      this.counts.unknownVerdicts++;
      return { kind: "unknown" };
    }
    this.waiting.delete(verdict.request_id);
    if (verdict.behavior === "allow") this.counts.allowed++;
    else this.counts.denied++;
    return { kind: "decided", request: pending };
  }

  /** The requests still waiting, oldest first. */
  list(now: number): PendingRequest[] {
    this.prune(now);
    return [...this.waiting.values()];
  }

  stats(now: number): PermissionCounts & { pending: number } {
    this.prune(now);
    return { pending: this.waiting.size, ...this.counts };
  }

  private prune(now: number): void {
    for (const [id, request] of this.waiting) {
      if (request.expiresAt > now) continue;
      this.waiting.delete(id);
      this.counts.expired++;
      this.expiredIds.add(id);
      if (this.expiredIds.size > this.limits.max * 4) this.expiredIds.delete(this.expiredIds.values().next().value as string);
    }
  }
}
