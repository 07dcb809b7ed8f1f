/**
 * The flow side of the permission relay: Claude Code's permission requests, relayed by a
 * bridge over the flow link, go to the session's approvers (claude-permission nodes); the
 * first verdict goes back to the bridge that asked. Without an approver a request is
 * counted and left to the terminal.
 */
import { EventEmitter } from "node:events";
import {
  PendingPermissions,
  PERMISSION_LIMITS,
  type Decision,
  type PendingRequest,
  type PermissionCounts,
  type PermissionRequest,
  type Verdict,
} from "../core/permission-requests.js";

export type Approver = (request: PendingRequest) => void;

export interface ApprovalStats extends PermissionCounts {
  approvers: number;
  pending: number;
  /** Requests no approver was deployed to answer. */
  unanswerable: number;
  /** The requests waiting: their text is Claude Code's, about untrusted input; show it as text. */
  waiting: Array<Pick<PendingRequest, "request_id" | "tool_name" | "description" | "input_preview"> & { expires: string }>;
}

export class Approvals extends EventEmitter<{ verdict: [verdict: Verdict, to: string | undefined]; changed: [] }> {
  private readonly approvers = new Map<string, Approver>();
  private readonly pending = new PendingPermissions(PERMISSION_LIMITS);
  private unanswerable = 0;

  /** Adds an approver (a claude-permission node); the returned function removes it. */
  attach(id: string, approver: Approver): () => void {
    this.approvers.set(id, approver);
    this.emit("changed");
    return () => {
      if (this.approvers.get(id) !== approver) return;
      this.approvers.delete(id);
      this.emit("changed");
    };
  }

  get hasApprover(): boolean {
    return this.approvers.size > 0;
  }

  /** A request from `from` (a bridge), handed to every approver; false when none could take it. */
  request(request: PermissionRequest, from: string | undefined, now: number): PendingRequest | undefined {
    if (!this.hasApprover) {
      this.unanswerable++;
      return undefined;
    }
    const pending = this.pending.add(request, now, from);
    if (pending) for (const approver of this.approvers.values()) approver(pending);
    this.emit("changed");
    return pending;
  }

  decide(verdict: Verdict, now: number): Decision {
    const decision = this.pending.decide(verdict, now);
    if (decision.kind === "decided") this.emit("verdict", verdict, decision.request.from);
    this.emit("changed");
    return decision;
  }

  stats(now: number): ApprovalStats {
    const waiting = this.pending.list(now).map(({ request_id, tool_name, description, input_preview, expiresAt }) => ({
      request_id,
      tool_name,
      description,
      input_preview,
      expires: new Date(expiresAt).toISOString(),
    }));
    return { approvers: this.approvers.size, unanswerable: this.unanswerable, ...this.pending.stats(now), waiting };
  }
}
