/**
 * The inbound decision: every message from the broker (or handed in by a flow's claude-gate)
 * is sorted into admitted / watched / dropped, and goes on accordingly: an admitted one to
 * the host and, paced, to Claude; a watched one into the buffer; a dropped one is counted
 * under its reason. Replies to the session's requests and pings are settled on the way.
 */
import type { WatchedBuffer, BufferEntry } from "../core/buffer.js";
import { contentBytesOf, parseInbound, type InboundMessage } from "../core/envelope.js";
import type { GateDecision } from "../core/gate.js";
import type { SessionTopics } from "../core/layout.js";
import type { Counters, IngestOptions, IngestOutcome } from "./api.js";
import type { StatusBeacon } from "./beacon.js";
import type { SessionDirectory } from "./directory.js";
import { CrossPathDuplicates, RetainedSeen, type RecentPublishes } from "./echo.js";
import type { EvictionReporter } from "./eviction-report.js";
import type { SessionLists } from "./lists.js";
import type { AdmittedPacing } from "./pacing.js";
import type { PendingPings } from "./ping.js";
import type { PendingRequests, RequestReply } from "./requests.js";
import type { SeenTopics } from "./seen-topics.js";
import type { ServiceTopics } from "./services.js";
import type { AdmittedMessage, DropReason, HostKind, LogLevel, SessionEmitter } from "./types.js";

export interface InboundParts {
  name: string;
  topics: SessionTopics;
  host: HostKind;
  maxPayloadBytes: number;
  lists: SessionLists;
  buffer: WatchedBuffer;
  evictions: EvictionReporter;
  counters: Counters;
  requests: PendingRequests;
  pings: PendingPings;
  seen: SeenTopics;
  pacing: AdmittedPacing;
  /** What the session published moments ago (raw publishes carry no sender to tell them by). */
  ownPublishes: RecentPublishes;
  services: ServiceTopics;
  beacon: StatusBeacon;
  directory: SessionDirectory;
  events: SessionEmitter;
  log(level: LogLevel, message: string): void;
}

/** The fields an inbound message carries on into the admitted stream and the buffer, when present. */
type Carried = Pick<InboundMessage, "sender" | "sentAt" | "correlation_id" | "reply_to">;
/** Copies the carried fields a message has onto `target`; every message of a flood passes here, so nothing else is allocated. */
function withCarried<T extends Carried>(target: T, message: Carried): T {
  if (message.sender !== undefined) target.sender = message.sender;
  if (message.sentAt !== undefined) target.sentAt = message.sentAt;
  if (message.correlation_id !== undefined) target.correlation_id = message.correlation_id;
  if (message.reply_to !== undefined) target.reply_to = message.reply_to;
  return target;
}

/** `topic` is `base` or below it; asked for every message, so it builds no string. */
function isAtOrUnder(topic: string, base: string): boolean {
  return topic.startsWith(base) && (topic.length === base.length || topic.charCodeAt(base.length) === 0x2f);
}

export class Inbound {
  private readonly retainedSeen = new RetainedSeen();
  private readonly crossPath = new CrossPathDuplicates();

  constructor(private readonly parts: InboundParts) {}

  /** A message from the broker: a service topic's to its handler, a status to the directory, anything else to the gate. */
  receive(topic: string, payload: Buffer, retained: boolean): void {
    const { parts } = this;
    if (parts.services.deliver(topic, payload) || this.isLinkTopic(topic)) return;
    if (topic === parts.topics.status) parts.beacon.heard(payload, retained);
    const isStatus = parts.directory.record(topic, payload);
    if (isStatus && !this.coveredByList(topic)) return;
    try {
      this.ingest(topic, parseInbound(payload, parts.maxPayloadBytes), { via: "mqtt", retained }, payload);
    } catch (err) {
      parts.counters.dropped.failed++;
      parts.log("error", `message on ${topic} could not be handled (counted as dropped: failed): ${(err as Error).message}`);
    }
  }

  /**
   * Sorts one message into its tier. Precedence: size report and echoes first, then
   * mute, then a reply to one of our requests (on our inbox only), then admit, then
   * watch; anything else is dropped as unmatched.
   */
  ingest(topic: string, message: InboundMessage, options: IngestOptions, raw?: Buffer): IngestOutcome {
    const { counters, topics, events } = this.parts;
    if (message.kind === "binary") counters.binary++;
    if (message.nested) counters.nested++;
    if (this.isEcho(topic, message, raw)) return this.drop(topic, message, "echo");
    if (options.retained && raw && this.retainedSeen.isRepeat(topic, raw)) return this.drop(topic, message, "duplicate-retained");
    if (message.kind === "oversize") {
      counters.dropped.oversize++;
      events.emit("limit", { limit: "payload", message: `${message.content} on ${topic}` });
    }

    const decision: GateDecision = options.force
      ? { tier: options.force === "admit" ? "admitted" : "watched", pattern: `(forced by flow)` }
      : this.parts.lists.gate.classify(topic, message.sender);
    if (decision.tier === "dropped" && decision.reason === "muted") return this.drop(topic, message, "muted", decision.pattern);
    const receivedAt = Date.now();
    // A copy by the other path keeps its tier (a flow may route it), but Claude gets it once.
    // Only what reaches Claude needs remembering: a copy of a dropped message is dropped too.
    const reachesClaude = decision.tier === "admitted" || decision.tier === "watched";
    const duplicate = reachesClaude && this.parts.host === "flow" && this.crossPath.isDuplicate(topic, message.content, options.via, Date.now());

    if (message.correlation_id && topic === topics.inbox) {
      const reply: RequestReply = { content: message.content, ...(message.sender ? { sender: message.sender } : {}) };
      if (this.parts.requests.settle(message.correlation_id, topic, reply)) {
        counters.replies++;
        this.parts.seen.record(topic, "reply", message.content, message.sender, receivedAt);
        return { tier: "reply" };
      }
      const ping = this.parts.pings.settle(message.correlation_id);
      if (ping !== undefined) {
        events.emit("notify", { topic, content: message.content, kind: message.kind, receivedAt, pattern: "(ping)", via: options.via, ping });
        return { tier: "admitted", pattern: "(ping)" };
      }
    }

    this.parts.seen.record(topic, decision.tier, message.content, message.sender, receivedAt);
    if (duplicate) {
      counters.dropped.duplicate++;
      return decision;
    }
    if (decision.tier === "admitted") {
      counters.admitted++;
      const admitted: AdmittedMessage = {
        topic,
        content: message.content,
        kind: message.kind,
        receivedAt,
        pattern: decision.pattern,
        via: options.via,
        ...withCarried({}, message),
        ...(options.retained ? { retained: true } : {}),
        ...(options.extra ? { extra: options.extra } : {}),
      };
      events.emit("admitted", admitted);
      this.parts.pacing.offer(admitted, topic === topics.inbox);
      return decision;
    }
    if (decision.tier === "watched") {
      counters.watched++;
      const entry = withCarried<BufferEntry>({ topic, content: message.content, receivedAt }, message);
      this.parts.evictions.add(this.parts.buffer.add(entry, receivedAt, raw && contentBytesOf(message, raw)));
      events.emit("watched", topic, decision.pattern);
      return decision;
    }
    return this.drop(topic, message, decision.reason === "echo" ? "echo" : "unmatched", decision.pattern);
  }

  /** An admitted message that is not pushed to Claude (coalesced, or over the cap) waits in the inbox buffer instead. */
  hold(message: AdmittedMessage): void {
    const entry = withCarried<BufferEntry>({ topic: message.topic, content: message.content, receivedAt: message.receivedAt }, message);
    this.parts.evictions.add(this.parts.buffer.add(entry, Date.now()));
  }

  /** The link's own topics (`channel`, `rpc`, `rpc/<bridge>`) and the permission relay's carry plumbing, never messages for Claude. */
  private isLinkTopic(topic: string): boolean {
    const { channel, rpc, permission } = this.parts.topics;
    return topic === channel || isAtOrUnder(topic, rpc) || isAtOrUnder(topic, permission);
  }

  private coveredByList(topic: string): boolean {
    const { gate } = this.parts.lists;
    return gate.index("admitted").match(topic) !== undefined || gate.index("watched").match(topic) !== undefined;
  }

  /**
   * Our own messages coming back: an envelope naming us, our status topic, or a
   * payload we published to that topic moments ago (raw publishes carry no sender).
   */
  private isEcho(topic: string, message: InboundMessage, raw: Buffer | undefined): boolean {
    if (message.sender === this.parts.name && (message.kind === "envelope" || message.kind === "json")) return true;
    if (topic === this.parts.topics.status) return true;
    return raw !== undefined && this.parts.ownPublishes.consume(topic, raw);
  }

  private drop(topic: string, message: InboundMessage, reason: DropReason, pattern?: string): IngestOutcome {
    if (reason !== "oversize") this.parts.counters.dropped[reason]++;
    this.parts.events.emit("dropped", {
      topic,
      reason,
      bytes: message.bytes,
      ...(message.sender !== undefined ? { sender: message.sender } : {}),
      ...(pattern !== undefined ? { pattern } : {}),
    });
    if (reason === "echo" || reason === "duplicate-retained") return { tier: "dropped", reason };
    return { tier: "dropped", reason: reason === "muted" ? "muted" : "unmatched", ...(pattern ? { pattern } : {}) };
  }
}
