/** The shapes of a Session's operations: what hosts pass in and get back. */
import type { BufferEntry, BufferSummary, EvictionCounts } from "../core/buffer.js";
import type { GateDecision } from "../core/gate.js";
import type { Refusal } from "../core/permissions.js";
import type { ActionStats } from "./actions.js";
import type { ConnectionMode } from "./connection.js";
import type { ApprovalStats } from "./approvals.js";
import type { DirectoryStats } from "./directory.js";
import type { PacingStatus } from "./pacing.js";
import type { ConnectionState, DropReason } from "./types.js";

export type IngestOutcome = GateDecision | { tier: "reply" } | { tier: "dropped"; reason: "oversize" | "duplicate-retained" | "echo" };

export interface IngestOptions {
  via: "mqtt" | "flow";
  retained?: boolean;
  /** Admit or watch regardless of the lists (claude-gate's forced modes). */
  force?: "admit" | "watch";
  extra?: Record<string, string>;
}

export interface PublishRequest {
  topic: string;
  text: string;
  correlation_id?: string;
  reply_to?: string;
  retain?: boolean;
  raw?: boolean;
  qos?: 0 | 1 | 2;
}

export interface InboxRead {
  filter?: string;
  clear?: boolean;
  /** Messages under a filter, or topics in a summary. */
  limit?: number;
}

export type InboxResult =
  | ({ kind: "summary" } & BufferSummary)
  | { kind: "messages"; filter: string; messages: BufferEntry[]; remaining: number; cleared: number }
  | { kind: "cleared"; cleared: number };

export interface Counters {
  admitted: number;
  watched: number;
  replies: number;
  dropped: Record<DropReason, number>;
  binary: number;
  /** Publishes by Claude that the owner's permissions or the reply space refused, by rule. */
  refused: Record<Refusal, number>;
  /** Payloads whose JSON nests too deeply to be read as JSON; passed on as text. */
  nested: number;
}

export interface StatusSnapshot {
  session: string;
  version: string;
  broker: string;
  admitted: string[];
  watched: string[];
  muted: string[];
  activeSubscriptions: string[];
  pendingRequests: number;
  /** Messages per topic, for the 100 busiest topics, busiest first (all of them: `bufferTopics`). */
  buffer: Record<string, number>;
  bufferMaxAge: number;
  bufferMaxPerTopic: number;
  host: "bridge" | "flow";
  connection: { state: ConnectionState; since: string; lastError?: string; mqtt: ConnectionMode };
  pinned: { admitted: string[]; watched: string[]; muted: string[] };
  /** The owner's publish permissions; an empty allow list allows every topic not denied. */
  publishPermissions: { allow: string[]; deny: string[] };
  /** claude-action routes and the actions waiting for the flow. */
  actions: ActionStats;
  /** Permission requests relayed to the flow's claude-permission nodes. */
  permissions: ApprovalStats;
  bufferTopics: number;
  bufferMessages: number;
  bufferBytes: number;
  bufferMaxBytes: number;
  counts: Counters;
  evicted: EvictionCounts;
  problems: string[];
  /** How admitted messages were paced for Claude. */
  coalescing: PacingStatus;
  /** The sessions directory (the `sessions` tool): how many it holds, and the statuses it would not take. */
  directory: DirectoryStats;
  [section: string]: unknown;
}
