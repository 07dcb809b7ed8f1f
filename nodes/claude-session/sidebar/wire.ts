/**
 * What the runtime tells the editor's Claude sidebar: one snapshot per claude-session
 * node, served by the admin route and pushed over Node-RED's comms when it changes.
 * Both sides compile against these types; nothing here may need Node.js at run time,
 * because the editor's script bundles this file.
 */
import type { EvictionCounts } from "../../../core/buffer.js";
import type { ListName } from "../../../core/gate.js";
import type { RefusalCounts } from "../../../session/link/protocol.js";
import type { ConnectionState, DropReason } from "../../../session/types.js";

/** Admin route (under Node-RED's httpAdmin root) listing every claude-session node. */
export const SESSIONS_PATH = "claude-channel/sessions";
/** Permission a user needs for the route when the editor has `adminAuth`. */
export const READ_PERMISSION = "claude-session.read";
/** Comms topic of one node's updates: `claude-channel/session/<node id>`. */
export const TOPIC_PREFIX = "claude-channel/session/";

export type SessionState = ConnectionState | "invalid" | "idle";

export interface LinkBridge {
  id: string;
  lastSeen: string;
}

export type LinkView =
  | { state: "no-key" }
  /** A link key is set but the session is not running. */
  | { state: "idle" }
  | {
      state: "serving";
      bridges: LinkBridge[];
      outbox: number;
      outboxLimit: number;
      droppedWhileAway: number;
      refused: RefusalCounts;
    };

/**
 * Who put a pattern on a list: the flow's owner in the editor (pinned: Claude cannot remove it),
 * the session itself (its own inbox, admitted by default), or Claude.
 */
export type PatternOrigin = "owner" | "inbox" | "claude";

export interface ListEntry {
  pattern: string;
  origin: PatternOrigin;
}

export interface RecentAdmitted {
  at: string;
  topic: string;
  sender?: string;
  pattern: string;
  via: "mqtt" | "flow";
  /** The start of the content: untrusted text, to be shown as text only. */
  preview: string;
  truncated: boolean;
}

export interface SessionSnapshot {
  /** The claude-session config node's id. */
  id: string;
  name: string;
  connection: { state: SessionState; since?: string; detail?: string };
  problems: string[];
  link: LinkView;
  lists: Record<ListName, ListEntry[]>;
  buffer: { messages: number; topics: number; bytes: number; maxBytes: number; maxAge: number; maxPerTopic: number };
  counts: {
    admitted: number;
    watched: number;
    replies: number;
    dropped: Record<DropReason, number>;
    evicted: EvictionCounts;
  };
  recent: RecentAdmitted[];
  /** Claude Code's permission requests waiting for a claude-permission node's answer (untrusted text). */
  permissions: { approvers: number; waiting: PendingPermission[]; allowed: number; denied: number; expired: number };
}

export interface PendingPermission {
  request_id: string;
  tool_name: string;
  description: string;
  input_preview: string;
  expires: string;
}

/** A comms message on `<TOPIC_PREFIX><id>`. */
export type SessionUpdate = { id: string; snapshot: SessionSnapshot } | { id: string; removed: true };
