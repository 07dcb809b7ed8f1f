/**
 * The bridge's end of the permission relay: Claude Code's requests go out through the
 * backend (to the flow's claude-permission nodes, or in bridge mode to the approver's
 * topic), and the first verdict for a waiting request goes back to Claude Code as
 * `notifications/claude/channel/permission`. Unknown, repeated and late verdicts are
 * dropped and counted (core/permission-requests has the rules).
 */
import {
  PendingPermissions,
  PERMISSION_LIMITS,
  type PermissionCounts,
  type PermissionRequest,
  type Verdict,
} from "../core/permission-requests.js";
import type { Logger } from "./log.js";

export type RelayRequest = PermissionRequest & { expires: string };

export interface PermissionDeskStats extends PermissionCounts {
  pending: number;
}

export class PermissionDesk {
  private readonly pending = new PendingPermissions(PERMISSION_LIMITS);

  constructor(
    private readonly relay: (request: RelayRequest) => Promise<void>,
    private readonly answer: (verdict: Verdict) => void,
    private readonly log: Logger,
  ) {}

  async request(request: PermissionRequest): Promise<void> {
    const pending = this.pending.add(request, Date.now());
    if (!pending) {
      this.log("warn", `permission request ${request.request_id} (${request.tool_name}) not relayed: ${PERMISSION_LIMITS.max} are waiting already; answer it in the terminal`);
      return;
    }
    try {
      await this.relay({ ...request, expires: new Date(pending.expiresAt).toISOString() });
      this.log("info", `[permission] relayed request ${request.request_id} (${request.tool_name})`);
    } catch (err) {
      this.log("warn", `permission request ${request.request_id} not relayed: ${(err as Error).message}; answer it in the terminal`);
    }
  }

  verdict(verdict: Verdict): void {
    const decision = this.pending.decide(verdict, Date.now());
    if (decision.kind !== "decided") {
      this.log("warn", `[permission] dropped a verdict for ${decision.kind === "expired" ? "expired" : "unknown"} request ${verdict.request_id}`);
      return;
    }
    this.log("info", `[permission] ${verdict.behavior} for request ${verdict.request_id} (${decision.request.tool_name})`);
    this.answer(verdict);
  }

  stats(): PermissionDeskStats {
    return this.pending.stats(Date.now());
  }
}
