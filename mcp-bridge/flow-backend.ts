/**
 * The session hosted by a Node-RED flow: tool calls go over the flow link to the
 * `claude-session` node, and the flow's admitted messages come back as channel
 * notifications. Nothing about the session lives here.
 */
import { channelMeta } from "../core/meta.js";
import { MAX_ACTION_TIMEOUT_SECONDS } from "../session/action-limits.js";
import type { LinkClient } from "../session/link/client.js";
import { toNotification } from "../session/notification.js";
import type { Verdict } from "../core/permission-requests.js";
import { DEFAULT_PING_TIMEOUT_SECONDS } from "../session/tools/run.js";
import type { ChannelNotification, ModeChoice, SessionBackend, ToolOutcome } from "./backend.js";
import type { RelayRequest } from "./permission-desk.js";
import type { Logger } from "./log.js";

/** How long the bridge waits at start for the flow's welcome, which says whether it has an approver. */
const WELCOME_WAIT_MS = 5000;
/** Events kept until the MCP server listens (the flow's outbox holds 1000 by default). */
const EARLY_LIMIT = 1000;

/** Seconds on top of a waiting tool's (or a claude-action node's) own timeout before the flow counts as unreachable. */
const REQUEST_MARGIN_SECONDS = 10;

export class FlowBackend implements SessionBackend {
  private readonly listeners: Array<(notification: ChannelNotification) => void> = [];
  private readonly early: ChannelNotification[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly link: LinkClient,
    private readonly mode: ModeChoice,
    private readonly requestTimeoutSeconds: number,
    log: Logger,
  ) {
    link.on("log", (level, message) => log(level, message));
    link.on("admitted", (message) => {
      log("info", `[admitted] via flow on ${message.topic}`);
      this.notify(toNotification(message));
    });
    link.on("notice", (text) => {
      log("warn", text);
      this.notify({
        content: text,
        meta: channelMeta({ source: "mqtt", topic: link.topics.channel, sender: "flow", ts: new Date().toISOString() }),
      });
    });
  }

  /** The link client is started before the mode is chosen (auto mode reads the flow's status through it). */
  async start(): Promise<void> {}

  stop(): Promise<void> {
    this.stopping ??= this.link.stop();
    return this.stopping;
  }

  async call(tool: string, args: unknown): Promise<ToolOutcome> {
    const timeoutMs = waitsSeconds(tool, args, this.requestTimeoutSeconds);
    const outcome = await this.link.call(tool, args, timeoutMs);
    if (tool !== "status" || outcome.isError) return outcome;
    return withLinkStats(outcome, this.link.stats());
  }

  onNotification(listener: (notification: ChannelNotification) => void): void {
    this.listeners.push(listener);
    for (const notification of this.early.splice(0)) listener(notification);
  }

  describe(): ModeChoice {
    return this.mode;
  }

  async approver(): Promise<boolean> {
    const welcome = await this.link.waitForWelcome(WELCOME_WAIT_MS);
    return welcome?.approver === true;
  }

  relayPermission(request: RelayRequest): Promise<void> {
    return this.link.relayPermission(request);
  }

  onVerdict(listener: (verdict: Verdict) => void): void {
    this.link.on("verdict", listener);
  }

  relayStatus(): Record<string, unknown> {
    return { via: "flow link (claude-permission nodes)" };
  }

  private notify(notification: ChannelNotification): void {
    // Events replayed while the bridge waits for the welcome (before the MCP server listens) are kept for it.
    if (this.listeners.length === 0) {
      this.early.push(notification);
      if (this.early.length > EARLY_LIMIT) this.early.shift();
      return;
    }
    for (const listener of this.listeners) listener(notification);
  }
}

/** How long the flow may take to answer a tool that waits (request, ping), or undefined for the default. */
/** How long a tool call may take: a request and a ping wait for their answer, a publish perhaps for a claude-action node's flow. */
function waitsSeconds(tool: string, args: unknown, requestTimeoutSeconds: number): number | undefined {
  if (tool === "publish" || tool === "reply") return (MAX_ACTION_TIMEOUT_SECONDS + REQUEST_MARGIN_SECONDS) * 1000;
  const fallback = tool === "request" ? requestTimeoutSeconds : tool === "ping" ? DEFAULT_PING_TIMEOUT_SECONDS : undefined;
  if (fallback === undefined) return undefined;
  return ((timeoutArgument(args) ?? fallback) + REQUEST_MARGIN_SECONDS) * 1000;
}

function timeoutArgument(args: unknown): number | undefined {
  if (typeof args !== "object" || args === null) return undefined;
  const timeout = (args as { timeout?: unknown }).timeout;
  return typeof timeout === "number" && timeout > 0 && timeout <= 600 ? timeout : undefined;
}

function withLinkStats(outcome: ToolOutcome, stats: ReturnType<LinkClient["stats"]>): ToolOutcome {
  // An older flow answers status with text: it goes on untouched.
  return outcome.data ? { data: { ...outcome.data, bridgeLink: stats }, isError: false } : outcome;
}
