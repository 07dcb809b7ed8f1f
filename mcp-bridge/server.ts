/**
 * The MCP server: name `mqtt`, the tools and the `claude/channel` capability. It
 * lists the shared tools with JSON schemas made from their zod schemas, runs each
 * call on the backend, and turns admitted messages into channel notifications. With
 * an authenticated approver it also declares `claude/channel/permission` and relays
 * Claude Code's permission prompts (see permission-desk.ts).
 * Nothing here throws at the client: a failing call is an `isError` result.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
  type ServerResult,
  type Tool,
  ToolSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { permissionRequestSchema, type Verdict } from "../core/permission-requests.js";
import { CHANNEL_METHOD, type ChannelNotification } from "../session/notification.js";
import { TOOL_DESCRIPTIONS } from "../session/tools/descriptions.js";
import { DEFAULT_PING_TIMEOUT_SECONDS, renderOutcome } from "../session/tools/run.js";
import { TOOL_NAMES, toolSchemas, type ToolName } from "../session/tools/schemas.js";
import type { ModeChoice, SessionBackend, ToolOutcome } from "./backend.js";
import { ChannelDelivery, type DeliveryStats } from "./deliver.js";
import type { Logger } from "./log.js";
import { PermissionDesk } from "./permission-desk.js";

export const SERVER_NAME = "mqtt";

export interface BridgeDeps {
  backend: SessionBackend;
  version: string;
  instructions: string;
  log: Logger;
  /** Relay Claude Code's permission prompts: only when the backend has an authenticated approver. */
  permissionRelay?: boolean;
}

export interface Bridge {
  readonly server: BridgeServer;
  /** Sends an admitted message to Claude Code (held until the MCP handshake is done). */
  deliver(notification: ChannelNotification): void;
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

interface ChannelNotificationMessage {
  method: typeof CHANNEL_METHOD;
  params: { content: string; meta: Record<string, string> };
}

interface VerdictNotificationMessage {
  method: typeof VERDICT_METHOD;
  params: Verdict;
}

export type BridgeServer = Server<ServerRequest, ServerNotification | ChannelNotificationMessage | VerdictNotificationMessage, ServerResult>;

export const PERMISSION_CAPABILITY = "claude/channel/permission";
export const PERMISSION_REQUEST_METHOD = "notifications/claude/channel/permission_request";
export const VERDICT_METHOD = "notifications/claude/channel/permission";

const permissionRequestNotification = z.object({ method: z.literal(PERMISSION_REQUEST_METHOD), params: z.unknown() });

export function createBridge(deps: BridgeDeps): Bridge {
  const { backend, log } = deps;
  // The permission capability only when someone authenticated answers: whoever can reply can approve.
  const experimental: Record<string, object> = { "claude/channel": {} };
  if (deps.permissionRelay) experimental[PERMISSION_CAPABILITY] = {};
  const server: BridgeServer = new Server({ name: SERVER_NAME, version: deps.version }, { capabilities: { tools: {}, experimental }, instructions: deps.instructions });
  const delivery = new ChannelDelivery(
    (notification) => server.notification({ method: CHANNEL_METHOD, params: { content: notification.content, meta: notification.meta } }),
    log,
  );
  server.oninitialized = () => delivery.ready();
  server.onerror = (err) => log("error", `MCP: ${err.message}`);

  const tools = listTools();
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    let outcome = await callSafely(backend, name, args ?? {}, log);
    if (name === "status" && !outcome.isError) {
      const relay = desk ? { ...desk.stats(), ...backend.relayStatus() } : { relayed: false, why: "no authenticated approver, so Claude Code keeps its prompts in the terminal" };
      outcome = withBridgeStatus(outcome, backend.describe(), delivery.stats(), relay);
    }
    if (name === "ping" && !outcome.isError) outcome = await withPingDelivery(outcome, delivery, pingTimeoutMs(args));
    const { text, isError } = renderOutcome(outcome);
    return { content: [{ type: "text", text }], isError };
  });

  backend.onNotification((notification) => delivery.deliver(notification));

  const desk = deps.permissionRelay ? relayPermissions(server, backend, log) : undefined;

  return {
    server,
    deliver: (notification) => delivery.deliver(notification),
    connect: (transport) => server.connect(transport),
    close: () => server.close(),
  };
}

/** Claude Code's permission requests out through the backend; the approver's first verdict back in. */
function relayPermissions(server: BridgeServer, backend: SessionBackend, log: Logger): PermissionDesk {
  const desk = new PermissionDesk(
    (request) => backend.relayPermission(request),
    (verdict) => {
      server.notification({ method: VERDICT_METHOD, params: verdict }).catch((err: Error) => log("error", `permission verdict not sent to Claude Code: ${err.message}`));
    },
    log,
  );
  server.setNotificationHandler(permissionRequestNotification, async (notification) => {
    const request = permissionRequestSchema.safeParse(notification.params);
    if (!request.success) {
      log("warn", `ignored a malformed permission request: ${request.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return;
    }
    await desk.request(request.data);
  });
  backend.onVerdict((verdict) => desk.verdict(verdict));
  return desk;
}

function listTools(): Tool[] {
  return TOOL_NAMES.map((name) => ({ name, description: TOOL_DESCRIPTIONS[name], inputSchema: inputSchema(name) }));
}

/**
 * The tool's zod schema as the JSON Schema MCP expects: the input side, draft 7, as the
 * SDK's McpServer makes it, checked against the SDK's own shape for `inputSchema`.
 */
export function inputSchema(name: ToolName): Tool["inputSchema"] {
  return ToolSchema.shape.inputSchema.parse(z.toJSONSchema(toolSchemas[name], { io: "input", target: "draft-7" }));
}

async function callSafely(backend: SessionBackend, name: string, args: unknown, log: Logger): Promise<ToolOutcome> {
  try {
    return await backend.call(name, args);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log("error", `tool ${name} failed unexpectedly: ${reason}`);
    return { text: `${name} failed: ${reason}`, isError: true };
  }
}

/**
 * Adds what only the bridge knows to the status: which host is in force and why, and how
 * channel notifications fared. Inserted after `host` so related keys stay together. An
 * older flow answers status with text: the mode goes on a line after it.
 */
export function withBridgeStatus(outcome: ToolOutcome, mode: ModeChoice, notifications: DeliveryStats, permissionRelay?: Record<string, unknown>): ToolOutcome {
  if (!outcome.data) return { ...outcome, text: `${outcome.text}\nmode: ${mode.mode} (${mode.reason})` };
  const merged: Record<string, unknown> = {};
  const bridgeKeys = { mode: mode.mode, modeReason: mode.reason };
  let placed = false;
  for (const [key, value] of Object.entries(outcome.data)) {
    merged[key] = value;
    if (key === "host") {
      Object.assign(merged, bridgeKeys);
      placed = true;
    }
  }
  if (!placed) Object.assign(merged, bridgeKeys);
  merged.notifications = notifications;
  if (permissionRelay) merged.permissionRelay = permissionRelay;
  return { data: merged, isError: false };
}

function pingTimeoutMs(args: unknown): number {
  const parsed = toolSchemas.ping.safeParse(args ?? {});
  return (parsed.success ? (parsed.data.timeout ?? DEFAULT_PING_TIMEOUT_SECONDS) : DEFAULT_PING_TIMEOUT_SECONDS) * 1000;
}

const pingAnswerSchema = z.object({ cameBack: z.boolean(), id: z.string() }).loose();

/**
 * The session's part of a ping ends when its probe came back from the broker and went on as
 * a notification; only the bridge sees whether that notification was written to Claude Code
 * (in flow mode it crosses the flow link first). The answer says both.
 */
export async function withPingDelivery(outcome: ToolOutcome, delivery: ChannelDelivery, timeoutMs: number): Promise<ToolOutcome> {
  const parsed = pingAnswerSchema.safeParse(outcome.data);
  if (!parsed.success) return outcome;
  const answer = parsed.data;
  if (!answer.cameBack) {
    const reason = "the probe did not come back from the broker: check the connection in status, and that the session's inbox topic is subscribed and not muted";
    return { data: { ...answer, delivered: false, reason }, isError: false };
  }
  const asked = Date.now();
  const writtenAt = await delivery.pingWritten(answer.id, timeoutMs);
  const result =
    writtenAt !== undefined
      ? { ...answer, delivered: true, notification: "written to Claude Code as a channel notification" }
      : {
          ...answer,
          delivered: false,
          reason: `the probe came back to the session, but no notification reached Claude Code within ${Math.round((Date.now() - asked) / 1000)} s (see notifications and bridgeLink in status)`,
        };
  return { data: result, isError: false };
}
