/**
 * What the claude-session config node offers the nodes that use it (claude-gate,
 * claude-publish, and later the flow link), in the shape of Node-RED's mqtt-broker:
 * users register, the config node runs the session for them and tells each one how
 * the connection goes.
 */
import type { Node } from "node-red";
import type { Session } from "../../session/session.js";
import type { ConnectionState } from "../../session/types.js";

/** What a user node is told: the connection state, or why the session cannot run at all. */
export type SessionView =
  | { state: ConnectionState; detail?: string }
  | { state: "invalid"; problem: string };

export interface SessionUser {
  readonly id: string;
  sessionChanged(view: SessionView): void;
}

export interface SessionCredentials {
  username?: string;
  password?: string;
  linkKey?: string;
}

export interface ClaudeSessionNode extends Node<SessionCredentials> {
  /** The session name (the config node's `name` property). */
  readonly sessionName: string;
  readonly prefix: string;
  /** Largest inbound payload, in bytes, as the session applies it. */
  readonly maxPayloadBytes: number;
  /** Starts the session for the first user; the user is told the current view at once. */
  register(user: SessionUser): void;
  /** Stops the session when the last user leaves because it was removed (not on a redeploy). */
  deregister(user: SessionUser, removed: boolean): Promise<void>;
  /** The running session, or why there is none. */
  current(): { session: Session } | { problem: string };
}

/** What claude-gate puts on each message it sends: `msg.claude`. */
export interface GateVerdict {
  /** `reply`: the message answered one of the session's own requests (sent on the admitted output). */
  tier: "admitted" | "watched" | "dropped" | "reply";
  /** The list pattern that decided, when one did. */
  pattern?: string;
  session: string;
  /** The topic the gate matched (for a Home Assistant message, `homeassistant/<domain>/<object_id>`). */
  topic: string;
  /** Why a dropped message was dropped. */
  reason?: string;
  sender?: string;
  correlation_id?: string;
  reply_to?: string;
}

export const SESSION_NODE_TYPE = "claude-session";

export function isClaudeSessionNode(node: Node | null | undefined): node is ClaudeSessionNode {
  return (
    node !== null &&
    node !== undefined &&
    node.type === SESSION_NODE_TYPE &&
    typeof (node as Partial<ClaudeSessionNode>).register === "function"
  );
}
