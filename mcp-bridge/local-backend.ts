/**
 * The session hosted by the bridge itself: one `Session` (host "bridge") with its
 * lists in `<stateDir>/sessions/<name>.json`, its tools run by the shared tool layer,
 * and its events logged to stderr.
 */
import { join } from "node:path";
import { displaySender } from "../core/envelope.js";
import { toNotification } from "../session/notification.js";
import { Session } from "../session/session.js";
import { FileSessionStore } from "../session/store.js";
import { runTool } from "../session/tools/run.js";
import type { SessionOptions } from "../session/types.js";
import type { Verdict } from "../core/permission-requests.js";
import { ApproverChannel } from "./approver-channel.js";
import type { ChannelNotification, ModeChoice, SessionBackend, ToolOutcome } from "./backend.js";
import type { RelayRequest } from "./permission-desk.js";
import { brokerOptions, type BridgeConfig } from "./config.js";
import type { Logger } from "./log.js";

export function localSessionOptions(config: BridgeConfig, version: string): SessionOptions {
  const s = config.settings;
  return {
    name: s.sessionName,
    prefix: s.topicPrefix,
    ...brokerOptions(config),
    qos: s.qos,
    heartbeatSeconds: s.heartbeatSeconds,
    keepaliveSeconds: s.keepaliveSeconds,
    sessionExpirySeconds: s.sessionExpirySeconds,
    requestTimeoutSeconds: s.requestTimeoutSeconds,
    maxPayloadBytes: s.maxPayloadBytes,
    maxPendingRequests: s.maxPendingRequests,
    bufferMaxBytes: s.bufferMaxBytes,
    pacing: { intervalSeconds: s.coalesceIntervalSeconds, perMinute: s.notifyPerMinute },
    host: "bridge",
    version,
    publishPermissions: { allow: s.publishAllow, deny: s.publishDeny },
    store: FileSessionStore.forSession(join(s.stateDir, "sessions"), s.sessionName),
  };
}

export class LocalBackend implements SessionBackend {
  private readonly listeners: Array<(notification: ChannelNotification) => void> = [];
  private started = false;
  private stopping = false;

  private readonly approverChannel: ApproverChannel | undefined;

  constructor(
    private readonly session: Session,
    private readonly mode: ModeChoice,
    private readonly log: Logger,
    approverKey?: string,
  ) {
    this.approverChannel = approverKey ? new ApproverChannel(session, approverKey, log) : undefined;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { session, log } = this;
    // Problems found while loading the session file happened before anyone listened.
    for (const problem of session.status().problems) log("error", problem);
    session.on("log", (level, message) => log(level, message));
    session.on("limit", (hit) => log("warn", hit.message));
    session.on("state", (state, detail) => {
      // "connecting" and "connected" have their own log lines from the session; a
      // disconnect while stopping is the goal, not news.
      if (this.stopping) return;
      if (state === "reconnecting" || state === "disconnected") log("warn", `MQTT ${state}${detail ? `: ${detail}` : ""}`);
    });
    session.on("notify", (message) => {
      log("info", `[admitted] ${displaySender(message.sender)} on ${message.topic}${message.updates ? ` (${message.updates} updates)` : ""}`);
      const notification = toNotification(message);
      for (const listener of this.listeners) listener(notification);
    });
    session.start();
    await this.approverChannel?.start();
  }

  stop(): Promise<void> {
    this.stopping = true;
    return this.session.stop();
  }

  /** Stops without saying the session is offline: a flow hosts it now. */
  handOver(): Promise<void> {
    this.stopping = true;
    return this.session.stop({ handOver: true });
  }

  call(tool: string, args: unknown): Promise<ToolOutcome> {
    return runTool(this.session, tool, args);
  }

  onNotification(listener: (notification: ChannelNotification) => void): void {
    this.listeners.push(listener);
  }

  describe(): ModeChoice {
    return this.mode;
  }

  async approver(): Promise<boolean> {
    return this.approverChannel !== undefined;
  }

  async relayPermission(request: RelayRequest): Promise<void> {
    if (!this.approverChannel) throw new Error("no approver key (SESSION_APPROVER_KEY) is set");
    await this.approverChannel.publish(request);
  }

  onVerdict(listener: (verdict: Verdict) => void): void {
    this.approverChannel?.onVerdict(listener);
  }

  relayStatus(): Record<string, unknown> {
    if (!this.approverChannel) return { via: "none: SESSION_APPROVER_KEY is not set" };
    const { permission, verdict } = this.session.topics;
    return { via: `requests on ${permission}, signed verdicts on ${verdict}`, refusedVerdicts: this.approverChannel.refusals() };
  }
}
