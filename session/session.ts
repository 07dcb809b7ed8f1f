/**
 * The live session, shared by every host (the MCP bridge, the Node-RED config node).
 *
 * It owns one MQTT connection, keeps broker subscriptions in step with the gate
 * lists, sorts every inbound message into admitted / watched / dropped, buffers
 * the watched ones, answers requests, publishes its retained status with a
 * heartbeat and a Last Will, and persists Claude's lists. Hosts listen to its
 * events (admitted messages, drops, limits, connection state) and call its
 * operations; the MCP tools are thin wrappers around them.
 */
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { StatusBeacon } from "./beacon.js";
import { DEFAULT_KEEPALIVE_SECONDS, DEFAULT_SESSION_EXPIRY_SECONDS, MAX_PATTERNS_PER_LIST } from "../core/limits.js";
import { WatchedBuffer, type BufferEntry, type EvictionCounts } from "../core/buffer.js";
import type { Digest } from "../core/coalesce.js";
import { contentBytesOf, parseInbound, wrapEnvelope, type InboundMessage } from "../core/envelope.js";
import type { GateDecision, ListName } from "../core/gate.js";
import { sessionTopics, type SessionTopics } from "../core/layout.js";
import type { SessionConfig } from "../core/session-file.js";
import { validateSessionName } from "../core/session-name.js";
import { checkPublish, checkReply, NO_PERMISSIONS, type PermissionVerdict, type PublishPermissions } from "../core/permissions.js";
import { redactUrl } from "../core/settings.js";
import { validatePattern, validateTopic } from "../core/topics.js";
import { Approvals } from "./approvals.js";
import { ActionRoutes, type ActionAnswer, type ActionOutcome, type ActionRoute } from "./actions.js";
import { brokerOf, Connection, type ConnectionOptions } from "./connection.js";
import { EvictionReporter } from "./eviction-report.js";
import { PublishLane } from "./lane.js";
import { SessionDirectory, type DirectoryEntry } from "./directory.js";
import { SessionLists, type InvalidPattern } from "./lists.js";
import { PendingRequests, type RequestReply } from "./requests.js";
import type { Counters, IngestOptions, IngestOutcome, InboxRead, InboxResult, PublishRequest, StatusSnapshot } from "./api.js";
import { CrossPathDuplicates, RecentPublishes, RetainedSeen } from "./echo.js";
import { loadOwnConfig, saveOwnConfig } from "./own-config.js";
import { AdmittedPacing, DEFAULT_PACING, PacingError, type PacingChoice } from "./pacing.js";
import { PendingPings, type PingResult } from "./ping.js";
import { SeenTopics, type SeenTopic } from "./seen-topics.js";
import { SubscriptionGuard, SubscriptionRefused } from "./subscription-guard.js";
import { SubscriptionNeeds, type SubscriptionReason } from "./subscriptions.js";
import type { AdmittedMessage, ConnectionState, DropReason, EffectiveLists, LogLevel, SessionEvents, SessionOptions } from "./types.js";

export class SessionError extends Error {}

/** The tools through which Claude publishes a message it wrote (request has its own path). */
export type ClaudePublishTool = "publish" | "reply";

export type ClaudePublishOutcome = { kind: "published"; bytes: number } | { kind: "action"; outcome: ActionOutcome };

/** Receives the raw messages of a service topic (the flow link's plumbing), which are never gated. */
export type ServiceHandler = (topic: string, payload: Buffer) => void;

const SWEEP_INTERVAL_MS = 60_000;
/**
 * Topics listed under `buffer` in status; `bufferTopics` says how many there are. A flood over
 * thousands of topics would otherwise make status hundreds of kilobytes, slow to build and
 * costly for Claude to read; `inbox` lists them all.
 */
const STATUS_BUFFER_TOPICS = 100;

/** Claude's pacing choices among these fields, only those set. */
function pacingChoice(fields: PacingChoice): PacingChoice {
  const { coalesceInterval, notifyPerMinute } = fields;
  return {
    ...(coalesceInterval !== undefined ? { coalesceInterval } : {}),
    ...(notifyPerMinute !== undefined ? { notifyPerMinute } : {}),
  };
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

export class Session extends EventEmitter<SessionEvents> {
  readonly name: string;
  readonly topics: SessionTopics;
  private readonly lists: SessionLists;
  private readonly buffer: WatchedBuffer;
  private readonly needs = new SubscriptionNeeds();
  private readonly requests: PendingRequests;
  private readonly actions: ActionRoutes;
  /** Claude Code's permission requests relayed to this (flow-hosted) session's approvers. */
  readonly approvals = new Approvals();
  private readonly directory: SessionDirectory;
  private readonly connection: Connection;
  private readonly guard: SubscriptionGuard;
  /** The link's frames go out on a publish-only connection (see lane.ts); opened by `attachService`. */
  private readonly lane: PublishLane;
  /** Evictions go out as `limit` events, at most one per interval (see eviction-report.ts). */
  private readonly evictions = new EvictionReporter((hit) => this.emit("limit", hit));
  private readonly beacon: StatusBeacon;
  private readonly problems: string[] = [];
  private readonly counters: Counters = {
    admitted: 0,
    watched: 0,
    replies: 0,
    dropped: { muted: 0, echo: 0, unmatched: 0, oversize: 0, "duplicate-retained": 0, duplicate: 0, "overlap-copy": 0, redelivered: 0, failed: 0 },
    binary: 0,
    refused: { denied: 0, "not-allowed": 0, "outside-reply-space": 0 },
    nested: 0,
  };
  private readonly permissions: PublishPermissions;
  private readonly retainedSeen = new RetainedSeen();
  private readonly ownPublishes = new RecentPublishes();
  private readonly crossPath = new CrossPathDuplicates();
  private readonly pacing: AdmittedPacing;
  private readonly pings = new PendingPings();
  private readonly seen = new SeenTopics();
  private connectionState: ConnectionState = "disconnected";
  private stateSince = new Date();
  private lastError: string | undefined;
  private readonly services = new Map<string, ServiceHandler>();
  private readonly statusSections = new Map<string, () => unknown>();
  private sweep: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  /** Why the session file must not be written (it could not be read, or is over a bound), when it must not. */
  private readonly storeReadOnly: string | undefined;

  constructor(private readonly options: SessionOptions) {
    super();
    this.name = options.name;
    this.topics = sessionTopics(options.prefix, options.name);
    this.permissions = options.publishPermissions ?? NO_PERMISSIONS;
    const loaded = loadOwnConfig(options.store, this.topics.inbox, (problem) => this.problem(problem));
    const own = loaded.config;
    this.storeReadOnly = loaded.readOnly;
    this.lists = new SessionLists(own, options.pinned, options.name);
    for (const bad of this.lists.invalid) {
      this.problem(`ignored invalid ${bad.list} pattern "${bad.pattern}": ${bad.reason}`);
    }
    this.buffer = new WatchedBuffer({
      maxAgeSeconds: own.bufferMaxAge,
      maxPerTopic: own.bufferMaxPerTopic,
      maxBytes: options.bufferMaxBytes,
    });
    this.pacing = new AdmittedPacing(options.pacing ?? DEFAULT_PACING, pacingChoice(own), {
      notify: (message) => this.emit("notify", message),
      hold: (message) => this.hold(message),
      digest: (digest) => this.emit("notify", this.digestMessage(digest)),
    });
    this.requests = new PendingRequests(options.maxPendingRequests);
    this.actions = new ActionRoutes(options.maxPendingRequests);
    this.directory = new SessionDirectory(options.prefix);
    this.needs.add(this.topics.inbox, "inbox");
    this.needs.add(this.directory.filter, "directory");
    for (const list of ["admitted", "watched"] as const) {
      for (const pattern of this.lists.effective()[list]) this.needs.add(pattern, list);
    }
    this.beacon = new StatusBeacon(
      { name: options.name, topic: this.topics.status, host: options.host, heartbeatSeconds: options.heartbeatSeconds, ...(options.statusExtras ? { extras: options.statusExtras } : {}) },
      () => this.connection,
      { log: (level, message) => this.log(level, message), problem: (message) => this.problemOnce(message) },
    );
    const connectionOptions: ConnectionOptions = {
      ...brokerOf(options),
      clientId: options.clientId ?? `claude-${options.name}-${randomUUID().slice(0, 8)}`,
      keepaliveSeconds: options.keepaliveSeconds ?? DEFAULT_KEEPALIVE_SECONDS,
      // One broker session per session name, prefix and host kind: a redeploy or restart picks it up again.
      persistent: { clientId: `claude-${options.host}:${options.prefix}/${options.name}`, expirySeconds: options.sessionExpirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS },
      will: { topic: this.topics.status, payload: () => this.beacon.will() },
    };
    this.connection = new Connection(connectionOptions);
    this.guard = new SubscriptionGuard(this.connection, () => this.options.qos);
    this.lane = new PublishLane(connectionOptions, this.connection, (message) => this.log("warn", message));
  }

  // ── lifecycle ────────────────────────────────────────────────────────────

  get state(): ConnectionState {
    return this.connectionState;
  }

  /** Starts connecting (returns at once; `state` events tell how it goes). */
  start(): void {
    if (this.stopping) throw new SessionError("session already stopped");
    this.setState("connecting");
    this.log("info", `connecting to ${redactUrl(this.options.brokerUrl)}`);
    const c = this.connection;
    c.on("connect", () => void this.onConnect());
    c.on("reconnect", () => this.setState("reconnecting"));
    c.on("close", () => {
      if (this.connectionState === "connected") this.setState("disconnected", this.lastError);
    });
    c.on("error", (err) => {
      this.lastError = err.message;
      this.log("warn", `MQTT error: ${err.message}`);
    });
    c.on("message", (topic, payload, retained) => this.onBrokerMessage(topic, payload, retained));
    c.on("dropped", (reason) => this.counters.dropped[reason]++);
    c.on("mode", (mode) => {
      if (mode.note) this.log("warn", mode.note);
    });
    c.open();
    this.beacon.start();
    this.sweep = setInterval(() => this.reportEvictions(this.buffer.prune(Date.now())), SWEEP_INTERVAL_MS);
  }

  /**
   * Publishes the offline status, closes the connection and releases every timer. Runs once.
   * `handOver`: another host has the session now (its online status is the latest), so no offline status.
   */
  stop(options: { handOver?: boolean } = {}): Promise<void> {
    this.stopping ??= this.doStop(options.handOver === true);
    return this.stopping;
  }

  private async doStop(handOver: boolean): Promise<void> {
    clearInterval(this.sweep);
    this.pacing.stop();
    this.pings.cancelAll();
    this.evictions.flush();
    this.requests.cancelAll("Request cancelled: the session is shutting down");
    this.actions.cancelAll("the session shut down before the flow answered");
    await this.beacon.stop(handOver);
    await this.connection.close();
    this.connection.removeAllListeners();
    await this.lane.close();
    this.setState("stopped");
  }

  private async onConnect(): Promise<void> {
    this.lastError = undefined;
    const filters = this.needs.filters();
    // The session's own subscriptions first: however long the lists, its inbox and status work.
    const own = filters.filter((f) => this.needs.reasons(f).some((reason) => reason === "inbox" || reason === "directory" || reason === "link"));
    await this.guard.subscribeAll(
      own,
      filters.filter((f) => !own.includes(f)),
      (refusal) => this.onRefused(refusal),
      (failed, err) => {
        const which = failed.length === 1 ? failed[0] : `${failed.length} filters (${failed[0]} …)`;
        this.log("warn", `subscribe ${which}: ${err.message} (tried again on the next connect)`);
      },
    );
    await this.beacon.online();
    this.setState("connected");
    this.log("info", `connected; subscribed to ${filters.length} filter(s)`);
  }

  /**
   * A filter the broker will not take (from the session file, the flow's pinned lists or
   * an earlier run): the session goes on without it rather than lose its connection over
   * it on every reconnect.
   */
  private onRefused(refusal: SubscriptionRefused): void {
    const { filter } = refusal;
    const reasons = this.needs.reasons(filter);
    for (const reason of reasons) this.needs.remove(filter, reason);
    const lists = reasons.filter((r): r is "admitted" | "watched" => r === "admitted" || r === "watched");
    for (const list of lists) {
      if (!this.lists.isPinned(list, filter)) this.lists.remove(list, filter);
    }
    if (lists.length > 0) this.listsChanged();
    const from = reasons.length > 0 ? ` (needed by: ${reasons.join(", ")})` : "";
    this.problem(`${refusal.message}${from}; the session goes on without it${lists.length > 0 ? " (the session file keeps it until the lists next change)" : ""}`);
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (state === this.connectionState) return;
    this.connectionState = state;
    this.stateSince = new Date();
    this.emit("state", state, detail);
  }

  // ── status and directory ─────────────────────────────────────────────────

  /** Sessions seen under the prefix, from their retained statuses. */
  sessions(): DirectoryEntry[] {
    return this.directory.list(Date.now());
  }

  // ── inbound ──────────────────────────────────────────────────────────────

  private onBrokerMessage(topic: string, payload: Buffer, retained: boolean): void {
    const service = this.services.get(topic);
    if (service) {
      try {
        service(topic, payload);
      } catch (err) {
        this.log("error", `service handler for ${topic} failed: ${(err as Error).message}`);
      }
      return;
    }
    if (this.isLinkTopic(topic)) return;
    if (topic === this.topics.status) this.beacon.heard(payload, retained);
    const isStatus = this.directory.record(topic, payload);
    if (isStatus && !this.coveredByList(topic)) return;
    try {
      this.ingest(topic, parseInbound(payload, this.options.maxPayloadBytes), { via: "mqtt", retained }, payload);
    } catch (err) {
      this.counters.dropped.failed++;
      this.log("error", `message on ${topic} could not be handled (counted as dropped: failed): ${(err as Error).message}`);
    }
  }

  /** The link's own topics (`channel`, `rpc`, `rpc/<bridge>`) and the permission relay's carry plumbing, never messages for Claude. */
  private isLinkTopic(topic: string): boolean {
    const { channel, rpc, permission } = this.topics;
    return topic === channel || isAtOrUnder(topic, rpc) || isAtOrUnder(topic, permission);
  }

  private coveredByList(topic: string): boolean {
    return this.lists.gate.index("admitted").match(topic) !== undefined || this.lists.gate.index("watched").match(topic) !== undefined;
  }

  /**
   * Sorts one message into its tier. Precedence: size report and echoes first, then
   * mute, then a reply to one of our requests (on our inbox only), then admit, then
   * watch; anything else is dropped as unmatched.
   */
  ingest(topic: string, message: InboundMessage, options: IngestOptions, raw?: Buffer): IngestOutcome {
    if (message.kind === "binary") this.counters.binary++;
    if (message.nested) this.counters.nested++;
    if (this.isEcho(topic, message, raw)) return this.drop(topic, message, "echo");
    if (options.retained && raw && this.retainedSeen.isRepeat(topic, raw)) return this.drop(topic, message, "duplicate-retained");
    if (message.kind === "oversize") {
      this.counters.dropped.oversize++;
      this.emit("limit", { limit: "payload", message: `${message.content} on ${topic}` });
    }

    const decision: GateDecision = options.force
      ? { tier: options.force === "admit" ? "admitted" : "watched", pattern: `(forced by flow)` }
      : this.lists.gate.classify(topic, message.sender);
    if (decision.tier === "dropped" && decision.reason === "muted") return this.drop(topic, message, "muted", decision.pattern);
    const receivedAt = Date.now();
    // A copy by the other path keeps its tier (a flow may route it), but Claude gets it once.
    // Only what reaches Claude needs remembering: a copy of a dropped message is dropped too.
    const reachesClaude = decision.tier === "admitted" || decision.tier === "watched";
    const duplicate = reachesClaude && this.options.host === "flow" && this.crossPath.isDuplicate(topic, message.content, options.via, Date.now());

    if (message.correlation_id && topic === this.topics.inbox) {
      const reply: RequestReply = { content: message.content, ...(message.sender ? { sender: message.sender } : {}) };
      if (this.requests.settle(message.correlation_id, topic, reply)) {
        this.counters.replies++;
        this.seen.record(topic, "reply", message.content, message.sender, receivedAt);
        return { tier: "reply" };
      }
      const ping = this.pings.settle(message.correlation_id);
      if (ping !== undefined) {
        this.emit("notify", { topic, content: message.content, kind: message.kind, receivedAt, pattern: "(ping)", via: options.via, ping });
        return { tier: "admitted", pattern: "(ping)" };
      }
    }

    this.seen.record(topic, decision.tier, message.content, message.sender, receivedAt);
    if (duplicate) {
      this.counters.dropped.duplicate++;
      return decision;
    }
    if (decision.tier === "admitted") {
      this.counters.admitted++;
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
      this.emit("admitted", admitted);
      this.pacing.offer(admitted, topic === this.topics.inbox);
      return decision;
    }
    if (decision.tier === "watched") {
      this.counters.watched++;
      const entry = withCarried<BufferEntry>({ topic, content: message.content, receivedAt }, message);
      this.reportEvictions(this.buffer.add(entry, receivedAt, raw && contentBytesOf(message, raw)));
      this.emit("watched", topic, decision.pattern);
      return decision;
    }
    return this.drop(topic, message, decision.reason === "echo" ? "echo" : "unmatched", decision.pattern);
  }

  /**
   * Our own messages coming back: an envelope naming us, our status topic, or a
   * payload we published to that topic moments ago (raw publishes carry no sender).
   */
  private isEcho(topic: string, message: InboundMessage, raw: Buffer | undefined): boolean {
    if (message.sender === this.name && (message.kind === "envelope" || message.kind === "json")) return true;
    if (topic === this.topics.status) return true;
    return raw !== undefined && this.ownPublishes.consume(topic, raw);
  }

  private drop(topic: string, message: InboundMessage, reason: DropReason, pattern?: string): IngestOutcome {
    if (reason !== "oversize") this.counters.dropped[reason]++;
    this.emit("dropped", {
      topic,
      reason,
      bytes: message.bytes,
      ...(message.sender !== undefined ? { sender: message.sender } : {}),
      ...(pattern !== undefined ? { pattern } : {}),
    });
    if (reason === "echo" || reason === "duplicate-retained") return { tier: "dropped", reason };
    return { tier: "dropped", reason: reason === "muted" ? "muted" : "unmatched", ...(pattern ? { pattern } : {}) };
  }

  private reportEvictions(counts: EvictionCounts): void {
    this.evictions.add(counts);
  }

  /** An admitted message that is not pushed to Claude waits in the inbox buffer instead. */
  private hold(message: AdmittedMessage): void {
    const entry = withCarried<BufferEntry>({ topic: message.topic, content: message.content, receivedAt: message.receivedAt }, message);
    this.reportEvictions(this.buffer.add(entry, Date.now()));
  }

  private digestMessage(digest: Digest): AdmittedMessage {
    const shown = digest.topics.slice(0, 5).map((t) => `${t.topic} (${t.count})`);
    if (digest.topics.length > shown.length) shown.push(`${digest.topics.length - shown.length} more topic(s)`);
    return {
      topic: this.topics.inbox,
      sender: this.name,
      content: `${digest.held} more admitted message(s) held, over ${digest.perMinute} notifications a minute: ${shown.join(", ")}. Read them with inbox.`,
      kind: "text",
      receivedAt: Date.now(),
      pattern: "(digest)",
      via: "mqtt",
      held: digest.held,
    };
  }

  // ── diagnostics ──────────────────────────────────────────────────────────

  /** Topics seen, most recent first; muted ones never appear, even if muted after they were seen. */
  seenTopics(limit: number, filter?: string): SeenTopic[] {
    if (filter !== undefined) {
      const invalid = validatePattern(filter);
      if (invalid) throw new SessionError(`Invalid topic or pattern: ${invalid}`);
    }
    const muted = (topic: string, sender: string | undefined): boolean => {
      const decision = this.lists.gate.classify(topic, sender);
      return decision.tier === "dropped" && decision.reason === "muted";
    };
    return this.seen.list(limit, filter, muted);
  }

  /**
   * Publishes a probe to the session's own inbox and waits for it to come back from the
   * broker; when it does, it goes on as a channel notification (never coalesced).
   */
  async ping(timeoutSeconds: number): Promise<PingResult> {
    if (!this.connection.connected) throw new SessionError("ping failed: not connected to the broker");
    const probe = this.pings.start(timeoutSeconds * 1000);
    const content = `ping ${probe.id}: a test notification from the ping tool; nothing to do`;
    const payload = wrapEnvelope({ sender: "ping", content, correlation_id: probe.correlationId }, new Date());
    try {
      await this.connection.publish(this.topics.inbox, payload, 1, false);
    } catch (err) {
      this.pings.settle(probe.correlationId);
      throw new SessionError(`ping failed: the probe could not be published (${(err as Error).message})`);
    }
    return probe.result;
  }

  // ── lists ────────────────────────────────────────────────────────────────

  effectiveLists(): EffectiveLists {
    return { ...this.lists.effective(), pinned: this.lists.pinned };
  }

  isPinned(list: ListName, pattern: string): boolean {
    return this.lists.isPinned(list, pattern);
  }

  /**
   * Adds a pattern to Claude's list (admit / watch / mute). Returns false when already in
   * force. A filter the broker refuses is taken out again and never persisted.
   */
  async addPattern(list: ListName, pattern: string): Promise<boolean> {
    this.assertWritable();
    if (this.lists.own[list].length >= MAX_PATTERNS_PER_LIST && !this.lists.has(list, pattern)) {
      throw new SessionError(`the ${list} list holds its maximum of ${MAX_PATTERNS_PER_LIST} patterns; remove some, or use one wider pattern (e.g. a/#)`);
    }
    const added = this.lists.add(list, pattern);
    if (!added) return false;
    let failure: unknown;
    if (list !== "muted") {
      try {
        await this.need(pattern, list);
      } catch (err) {
        if (err instanceof SubscriptionRefused) {
          this.lists.remove(list, pattern);
          throw new SessionError(`${err.message}; "${pattern}" was not added to the ${list} list`);
        }
        // Not answered (a timeout, a lost connection): kept, and subscribed on the next connect.
        failure = err;
      }
    }
    this.persist();
    this.listsChanged();
    if (failure) throw failure;
    return true;
  }

  /** Removes a pattern from Claude's list. Returns false when Claude's list did not have it. */
  async removePattern(list: ListName, pattern: string): Promise<boolean> {
    if (this.lists.own[list].includes(pattern)) this.assertWritable();
    const removed = this.lists.remove(list, pattern);
    if (!removed) return false;
    this.persist();
    this.listsChanged();
    if (list === "watched") {
      const watched = this.lists.gate.index("watched");
      this.buffer.removeUnwatched(pattern, (topic) => watched.match(topic) !== undefined);
    }
    if (list !== "muted") await this.release(pattern, list);
    return true;
  }

  /** Which list (other than `except`) still takes messages a pattern named, if any. */
  stillCovered(pattern: string, except: ListName): ListName | undefined {
    for (const list of ["admitted", "watched"] as const) {
      if (list === except) continue;
      if (this.lists.has(list, pattern) || this.lists.gate.index(list).match(pattern, pattern) !== undefined) return list;
    }
    return undefined;
  }

  private listsChanged(): void {
    this.emit("lists", this.effectiveLists());
  }

  config(changes: { bufferMaxAge?: number; bufferMaxPerTopic?: number } & PacingChoice): SessionConfig {
    const own = this.lists.own;
    const changing = Object.values(changes).some((value) => value !== undefined);
    if (changing) this.assertWritable();
    if (changes.coalesceInterval !== undefined || changes.notifyPerMinute !== undefined) {
      const choice = { ...pacingChoice(own), ...pacingChoice(changes) };
      try {
        this.pacing.choose(choice);
      } catch (err) {
        throw err instanceof PacingError ? new SessionError(err.message) : err;
      }
      Object.assign(own, choice);
    }
    if (changes.bufferMaxAge !== undefined) own.bufferMaxAge = changes.bufferMaxAge;
    if (changes.bufferMaxPerTopic !== undefined) own.bufferMaxPerTopic = changes.bufferMaxPerTopic;
    this.reportEvictions(
      this.buffer.setLimits({ maxAgeSeconds: own.bufferMaxAge, maxPerTopic: own.bufferMaxPerTopic }, Date.now()),
    );
    if (changing) this.persist();
    return own;
  }

  currentConfig(): SessionConfig {
    return this.lists.own;
  }

  // ── subscriptions ────────────────────────────────────────────────────────

  private async need(filter: string, reason: SubscriptionReason): Promise<void> {
    const refused = this.guard.refusal(filter);
    if (refused) throw new SubscriptionRefused(filter, refused);
    if (!this.needs.add(filter, reason) || !this.connection.connected) return;
    try {
      await this.guard.subscribe(filter);
    } catch (err) {
      if (err instanceof SubscriptionRefused) this.needs.remove(filter, reason);
      throw err;
    }
  }

  private async release(filter: string, reason: SubscriptionReason): Promise<void> {
    if (!this.needs.remove(filter, reason) || !this.connection.connected) return;
    await this.connection.unsubscribe([filter]);
  }

  /** An explicit broker subscription (not persisted). Rejects when the broker refuses it. */
  async subscribe(filter: string): Promise<void> {
    const invalid = validatePattern(filter);
    if (invalid) throw new SessionError(`Invalid topic filter: ${invalid}`);
    if (!this.connection.connected) throw new SessionError(`subscribe to ${filter} failed: not connected to the broker`);
    const refused = this.guard.refusal(filter);
    if (refused) throw new SessionError(new SubscriptionRefused(filter, refused).message);
    const added = this.needs.add(filter, "explicit");
    try {
      await this.guard.subscribe(filter);
    } catch (err) {
      if (added) this.needs.remove(filter, "explicit");
      throw err;
    }
  }

  /** Drops the explicit subscription; returns the reasons that keep the filter subscribed, if any. */
  async unsubscribe(filter: string): Promise<SubscriptionReason[]> {
    const invalid = validatePattern(filter);
    if (invalid) throw new SessionError(`Invalid topic filter: ${invalid}`);
    if (this.needs.remove(filter, "explicit")) {
      await this.connection.unsubscribe([filter]);
      return [];
    }
    return this.needs.reasons(filter);
  }

  /** Routes messages on `topic` to `handler` instead of the gate, subscribing while attached. */
  async attachService(topic: string, handler: ServiceHandler): Promise<() => Promise<void>> {
    this.services.set(topic, handler);
    if (!this.stopping) this.lane.open();
    await this.need(topic, "link");
    return async () => {
      this.services.delete(topic);
      await this.release(topic, "link");
    };
  }

  /** Publishes a payload as is (no envelope, no echo bookkeeping): the link's frames, on the publish lane. */
  async publishService(topic: string, payload: string, retain = false): Promise<void> {
    await this.lane.publish(topic, payload, 1, retain);
  }

  /** Adds a named section to the status snapshot (e.g. the flow link's counters). */
  addStatusSection(name: string, section: () => unknown): () => void {
    this.statusSections.set(name, section);
    return () => this.statusSections.delete(name);
  }

  // ── outbound ─────────────────────────────────────────────────────────────

  /** Publishes as this session (an envelope unless raw). Rejects when not connected or not acknowledged. */
  async publish(req: PublishRequest): Promise<{ bytes: number }> {
    const invalid = validateTopic(req.topic);
    if (invalid) throw new SessionError(`Invalid topic: ${invalid}`);
    const payload = req.raw
      ? req.text
      : wrapEnvelope(
          {
            sender: this.name,
            content: req.text,
            ...(req.correlation_id ? { correlation_id: req.correlation_id } : {}),
            ...(req.reply_to ? { reply_to: req.reply_to } : {}),
          },
          new Date(),
        );
    const bytes = Buffer.byteLength(payload);
    if (bytes > this.options.maxPayloadBytes) {
      throw new SessionError(`message of ${bytes} bytes is over the ${this.options.maxPayloadBytes}-byte limit (MQTT_MAX_PAYLOAD_BYTES)`);
    }
    const forget = this.ownPublishes.remember(req.topic, payload);
    try {
      await this.connection.publish(req.topic, payload, req.qos ?? this.options.qos, req.retain ?? false);
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
    this.enforce(checkPublish(this.permissions, req.topic));
    if (tool === "reply") this.enforce(checkReply(this.permissions, this.options.prefix, req.topic));
    const route = this.actions.find(req.topic);
    if (route) {
      const action = { topic: req.topic, text: req.text, tool, retain: req.retain ?? false, raw: req.raw ?? false };
      return { kind: "action", outcome: await this.actions.dispatch(route, action) };
    }
    return { kind: "published", ...(await this.publish(req)) };
  }

  /** Routes Claude's publishes matching `route.pattern` to a claude-action node; returns the removal. */
  routeActions(route: ActionRoute): () => void {
    return this.actions.add(route);
  }

  /** The flow's answer to an action; false when no action with that id is waiting (counted). */
  answerAction(correlationId: string, answer: ActionAnswer): boolean {
    return this.actions.answer(correlationId, answer);
  }

  /**
   * For the flow's reply nodes: refuses (and counts) a `reply_to` outside the reply space,
   * which `widen` (the node's own filters) may enlarge.
   */
  checkReplyTo(topic: string, widen: readonly string[]): void {
    this.enforce(checkReply(this.permissions, this.options.prefix, topic, widen));
  }

  publishPermissions(): PublishPermissions {
    return this.permissions;
  }

  private enforce(verdict: PermissionVerdict): void {
    if (verdict.ok) return;
    this.counters.refused[verdict.refusal]++;
    this.log("warn", `publish refused: ${verdict.message}`);
    throw new SessionError(`refused: ${verdict.message}`);
  }

  /** Sends a request to another session's inbox and waits for the correlated reply. */
  async request(target: string, text: string, timeoutSeconds?: number): Promise<RequestReply> {
    const invalid = validateSessionName(target);
    if (invalid) throw new SessionError(`Invalid target session name: ${invalid}`);
    this.enforce(checkPublish(this.permissions, sessionTopics(this.options.prefix, target).inbox));
    if (!this.connection.connected) throw new SessionError(`request to ${target} failed: not connected to the broker`);
    const correlationId = randomUUID();
    const timeout = timeoutSeconds ?? this.options.requestTimeoutSeconds;
    const reply = this.requests.wait(correlationId, target, this.topics.inbox, timeout);
    try {
      await this.publish({
        topic: sessionTopics(this.options.prefix, target).inbox,
        text,
        correlation_id: correlationId,
        reply_to: this.topics.inbox,
      });
    } catch (err) {
      this.requests.fail(correlationId, err as Error);
    }
    return reply;
  }

  // ── inbox ────────────────────────────────────────────────────────────────

  inbox(read: InboxRead): InboxResult {
    const now = Date.now();
    this.reportEvictions(this.buffer.prune(now));
    if (read.filter === undefined) {
      if (read.clear) return { kind: "cleared", cleared: this.buffer.clear() };
      return { kind: "summary", topics: this.buffer.summary(now) };
    }
    const invalid = validatePattern(read.filter);
    if (invalid) throw new SessionError(`Invalid topic or pattern: ${invalid}`);
    const all = this.buffer.read(read.filter, now);
    const limit = read.limit ?? all.length;
    const messages = all.slice(0, limit);
    const cleared = read.clear ? this.clearRead(read.filter, messages.length) : 0;
    return { kind: "messages", filter: read.filter, messages, remaining: all.length - messages.length, cleared };
  }

  /**
   * Clears the first `count` messages `inbox` lists for `filter`, those Claude was shown, and
   * no others: a message Claude has not seen is never cleared with the rest.
   */
  clearRead(filter: string, count: number): number {
    return this.buffer.clearFirst(filter, count);
  }

  // ── status ───────────────────────────────────────────────────────────────

  status(): StatusSnapshot {
    const lists = this.lists.effective();
    const buffer: Record<string, number> = {};
    for (const { topic, count } of this.buffer.counts(Date.now(), STATUS_BUFFER_TOPICS)) buffer[topic] = count;
    const size = this.buffer.size;
    // The reference's keys first, in its order; ours after.
    return {
      session: this.name,
      version: this.options.version,
      broker: redactUrl(this.options.brokerUrl),
      admitted: lists.admitted,
      watched: lists.watched,
      muted: lists.muted,
      activeSubscriptions: this.needs.filters().filter((f) => f !== this.directory.filter),
      pendingRequests: this.requests.size,
      buffer,
      bufferMaxAge: this.lists.own.bufferMaxAge,
      bufferMaxPerTopic: this.lists.own.bufferMaxPerTopic,
      host: this.options.host,
      connection: {
        state: this.connectionState,
        since: this.stateSince.toISOString(),
        ...(this.lastError ? { lastError: this.lastError } : {}),
        mqtt: this.connection.mode,
      },
      pinned: { admitted: [...this.lists.pinned.admitted], watched: [...this.lists.pinned.watched], muted: [...this.lists.pinned.muted] },
      publishPermissions: { allow: [...(this.permissions.allow ?? [])], deny: [...this.permissions.deny] },
      actions: this.actions.stats(),
      permissions: this.approvals.stats(Date.now()),
      bufferTopics: size.topics,
      bufferMessages: size.messages,
      bufferBytes: size.bytes,
      bufferMaxBytes: this.buffer.limits.maxBytes,
      counts: structuredClone(this.counters),
      evicted: { ...this.buffer.evicted },
      problems: [...this.problems],
      coalescing: this.pacing.status(),
      directory: this.directory.stats(),
      ...Object.fromEntries([...this.statusSections].map(([name, section]) => [name, section()])),
    };
  }

  invalidPatterns(): InvalidPattern[] {
    return [...this.lists.invalid];
  }

  // ── persistence ──────────────────────────────────────────────────────────

  /** Refuses a change the session file could not keep without losing what it holds. */
  private assertWritable(): void {
    if (this.storeReadOnly) {
      throw new SessionError(`${this.storeReadOnly}; to keep what it holds, the lists cannot change until the file is fixed and the session restarted`);
    }
  }

  private persist(): void {
    const store = this.options.store;
    if (!store) return;
    try {
      saveOwnConfig(store, this.lists.own);
    } catch (err) {
      this.problem(`could not save ${store.location}: ${(err as Error).message}`);
      throw new SessionError(`the change is in force but could not be saved to ${store.location}: ${(err as Error).message}`);
    }
  }

  private problemOnce(message: string): void {
    if (!this.problems.includes(message)) this.problem(message);
  }

  private problem(message: string): void {
    this.problems.push(message);
    this.log("error", message);
  }

  private log(level: LogLevel, message: string): void {
    this.emit("log", level, message);
  }
}
