/**
 * What the session sends: its own publishes (an envelope unless raw, remembered so the echo
 * is recognised), Claude's publishes and replies under the owner's permissions and the reply
 * space (or handed to a claude-action node), requests to other sessions, and ping probes.
 */
import { randomUUID } from "node:crypto";
import { wrapEnvelope } from "../core/envelope.js";
import { sessionTopics, type SessionTopics } from "../core/layout.js";
import { checkPublish, checkReply, type PermissionVerdict, type PublishPermissions } from "../core/permissions.js";
import { validateSessionName } from "../core/session-name.js";
import { validateTopic } from "../core/topics.js";
import type { ActionOutcome, ActionRoutes } from "./actions.js";
import type { Counters, PublishRequest } from "./api.js";
import type { Connection } from "./connection.js";
import type { RecentPublishes } from "./echo.js";
import { SessionError } from "./errors.js";
import type { PendingPings, PingResult } from "./ping.js";
import type { PendingRequests, RequestReply } from "./requests.js";
import type { LogLevel } from "./types.js";

/** The tools through which Claude publishes a message it wrote (request has its own path). */
export type ClaudePublishTool = "publish" | "reply";

export type ClaudePublishOutcome = { kind: "published"; bytes: number } | { kind: "action"; outcome: ActionOutcome };

export interface OutboundParts {
  name: string;
  prefix: string;
  topics: SessionTopics;
  qos: 0 | 1 | 2;
  maxPayloadBytes: number;
  requestTimeoutSeconds: number;
  connection: Connection;
  permissions: PublishPermissions;
  actions: ActionRoutes;
  requests: PendingRequests;
  pings: PendingPings;
  ownPublishes: RecentPublishes;
  /** Where refusals are counted, by rule. */
  refused: Counters["refused"];
  log(level: LogLevel, message: string): void;
}

export class Outbound {
  constructor(private readonly parts: OutboundParts) {}

  /** Publishes as this session (an envelope unless raw). Rejects when not connected or not acknowledged. */
  async publish(req: PublishRequest): Promise<{ bytes: number }> {
    const { parts } = this;
    const invalid = validateTopic(req.topic);
    if (invalid) throw new SessionError(`Invalid topic: ${invalid}`);
    const payload = req.raw
      ? req.text
      : wrapEnvelope(
          {
            sender: parts.name,
            content: req.text,
            ...(req.correlation_id ? { correlation_id: req.correlation_id } : {}),
            ...(req.reply_to ? { reply_to: req.reply_to } : {}),
          },
          new Date(),
        );
    const bytes = Buffer.byteLength(payload);
    if (bytes > parts.maxPayloadBytes) {
      throw new SessionError(`message of ${bytes} bytes is over the ${parts.maxPayloadBytes}-byte limit (MQTT_MAX_PAYLOAD_BYTES)`);
    }
    const forget = parts.ownPublishes.remember(req.topic, payload);
    try {
      await parts.connection.publish(req.topic, payload, req.qos ?? parts.qos, req.retain ?? false);
    } catch (err) {
      forget();
      throw err;
    }
    return { bytes };
  }

  /**
   * Publishes for Claude (the publish and reply tools): the owner's publish permissions
   * first, and for a reply the reply space too (a refusal is counted and thrown, naming
   * the rule). A topic a claude-action node routes goes to that node, not the broker,
   * and the outcome is the flow's answer.
   */
  async publishForClaude(req: PublishRequest, tool: ClaudePublishTool): Promise<ClaudePublishOutcome> {
    this.enforce(checkPublish(this.parts.permissions, req.topic));
    if (tool === "reply") this.enforce(checkReply(this.parts.permissions, this.parts.prefix, req.topic));
    const { actions } = this.parts;
    const route = actions.find(req.topic);
    if (route) {
      const action = { topic: req.topic, text: req.text, tool, retain: req.retain ?? false, raw: req.raw ?? false };
      return { kind: "action", outcome: await actions.dispatch(route, action) };
    }
    return { kind: "published", ...(await this.publish(req)) };
  }

  /**
   * For the flow's reply nodes: refuses (and counts) a `reply_to` outside the reply space,
   * which `widen` (the node's own filters) may enlarge.
   */
  checkReplyTo(topic: string, widen: readonly string[]): void {
    this.enforce(checkReply(this.parts.permissions, this.parts.prefix, topic, widen));
  }

  /** Sends a request to another session's inbox and waits for the correlated reply. */
  async request(target: string, text: string, timeoutSeconds?: number): Promise<RequestReply> {
    const { parts } = this;
    const invalid = validateSessionName(target);
    if (invalid) throw new SessionError(`Invalid target session name: ${invalid}`);
    const inbox = sessionTopics(parts.prefix, target).inbox;
    this.enforce(checkPublish(parts.permissions, inbox));
    if (!parts.connection.connected) throw new SessionError(`request to ${target} failed: not connected to the broker`);
    const correlationId = randomUUID();
    const reply = parts.requests.wait(correlationId, target, parts.topics.inbox, timeoutSeconds ?? parts.requestTimeoutSeconds);
    try {
      await this.publish({ topic: inbox, text, correlation_id: correlationId, reply_to: parts.topics.inbox });
    } catch (err) {
      parts.requests.fail(correlationId, err as Error);
    }
    return reply;
  }

  /**
   * Publishes a probe to the session's own inbox and waits for it to come back from the
   * broker; when it does, it goes on as a channel notification (never coalesced).
   */
  async ping(timeoutSeconds: number): Promise<PingResult> {
    const { connection, pings, topics } = this.parts;
    if (!connection.connected) throw new SessionError("ping failed: not connected to the broker");
    const probe = pings.start(timeoutSeconds * 1000);
    const content = `ping ${probe.id}: a test notification from the ping tool; nothing to do`;
    const payload = wrapEnvelope({ sender: "ping", content, correlation_id: probe.correlationId }, new Date());
    try {
      await connection.publish(topics.inbox, payload, 1, false);
    } catch (err) {
      pings.settle(probe.correlationId);
      throw new SessionError(`ping failed: the probe could not be published (${(err as Error).message})`);
    }
    return probe.result;
  }

  private enforce(verdict: PermissionVerdict): void {
    if (verdict.ok) return;
    this.parts.refused[verdict.refusal]++;
    this.parts.log("warn", `publish refused: ${verdict.message}`);
    throw new SessionError(`refused: ${verdict.message}`);
  }
}
