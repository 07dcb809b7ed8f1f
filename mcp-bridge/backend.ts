/**
 * Where the session lives, seen from the MCP server. Two hosts are planned:
 *
 * - `bridge`: the bridge hosts the session itself (LocalBackend), exactly as
 *   claude-code-mqtt does.
 * - `flow`: a Node-RED `claude-session` node hosts it; the bridge forwards tool
 *   calls over the authenticated flow link and relays the flow's admitted events.
 *
 * The MCP server only talks to this interface, so a flow backend slots in beside
 * the local one without touching the server.
 */
import type { ChannelNotification } from "../session/notification.js";
import type { Verdict } from "../core/permission-requests.js";
import type { ToolOutcome } from "../session/tools/run.js";
import type { RelayRequest } from "./permission-desk.js";

export type { ChannelNotification, ToolOutcome };

export type BackendMode = "bridge" | "flow";

export interface ModeChoice {
  mode: BackendMode;
  /** Why this mode is in force, for the `status` tool and the startup log. */
  reason: string;
}

export interface SessionBackend {
  /** Starts serving: connects, subscribes, publishes the online status. Does not wait for the broker. */
  start(): Promise<void>;
  /** Publishes the offline status and releases everything. Runs once; later calls wait for the first. */
  stop(): Promise<void>;
  /** Runs one tool call; never rejects (failures are `isError` outcomes). */
  call(tool: string, args: unknown): Promise<ToolOutcome>;
  /** Registers the listener for admitted messages, already shaped as channel notifications. */
  onNotification(listener: (notification: ChannelNotification) => void): void;
  describe(): ModeChoice;
  /**
   * Whether an authenticated approver answers permission requests: in bridge mode, an
   * approver key is set; in flow mode, the flow's signed welcome says a claude-permission
   * node is deployed (waited for a few seconds). Asked once, before the MCP handshake.
   */
  approver(): Promise<boolean>;
  /** Sends one of Claude Code's permission requests to the approver. */
  relayPermission(request: RelayRequest): Promise<void>;
  /** Registers the listener for the approver's (authenticated) verdicts. */
  onVerdict(listener: (verdict: Verdict) => void): void;
  /** Extra status of the relay's transport (e.g. refused verdict frames), for the status tool. */
  relayStatus(): Record<string, unknown>;
}

export class BackendUnavailableError extends Error {}
