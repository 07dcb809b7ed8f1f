/**
 * The live session, shared by every host (the MCP bridge, the Node-RED config node): one
 * MQTT connection and the units that work on it, each with one job:
 *
 * - `Subscriber`: broker subscriptions in step with what needs them;
 * - `Inbound`: the inbound decision (admitted / watched / dropped) and what follows it;
 * - `AdmittedPacing`: the admitted stream paced for Claude;
 * - `Outbound`: what the session and Claude publish, under the owner's permissions;
 * - `ListChanges`: Claude's changes to its lists and settings, saved to the session file;
 * - `StatusBeacon`: the retained status, its heartbeat and the Last Will;
 * - `ServiceTopics`: the flow link's plumbing, never gated.
 *
 * Hosts listen to its events (admitted messages, notifications, drops, limits, connection
 * state) and call its operations; the MCP tools are thin wrappers around them.
 */
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { WatchedBuffer } from "../core/buffer.js";
import type { InboundMessage } from "../core/envelope.js";
import type { ListName } from "../core/gate.js";
import { sessionTopics, type SessionTopics } from "../core/layout.js";
import { DEFAULT_KEEPALIVE_SECONDS, DEFAULT_SESSION_EXPIRY_SECONDS } from "../core/limits.js";
import { NO_PERMISSIONS, type PublishPermissions } from "../core/permissions.js";
import type { SessionConfig } from "../core/session-file.js";
import { redactUrl } from "../core/settings.js";
import { validatePattern } from "../core/topics.js";
import { ActionRoutes, type ActionAnswer, type ActionRoute } from "./actions.js";
import type { Counters, IngestOptions, IngestOutcome, InboxRead, InboxResult, PublishRequest, StatusSnapshot } from "./api.js";
import { Approvals } from "./approvals.js";
import { StatusBeacon } from "./beacon.js";
import { brokerOf, Connection, type ConnectionOptions } from "./connection.js";
import { SessionDirectory, type DirectoryEntry } from "./directory.js";
import { RecentPublishes } from "./echo.js";
import { SessionError } from "./errors.js";
import { EvictionReporter } from "./eviction-report.js";
import { readInbox } from "./inbox.js";
import { Inbound } from "./inbound.js";
import { PublishLane } from "./lane.js";
import { ListChanges, type ConfigChanges } from "./list-changes.js";
import { SessionLists, type InvalidPattern } from "./lists.js";
import { Outbound, type ClaudePublishOutcome, type ClaudePublishTool } from "./outbound.js";
import { loadOwnConfig } from "./own-config.js";
import { AdmittedPacing, DEFAULT_PACING, digestMessage, pacingChoice } from "./pacing.js";
import { PendingPings, type PingResult } from "./ping.js";
import { PendingRequests, type RequestReply } from "./requests.js";
import { SeenTopics, type SeenTopic } from "./seen-topics.js";
import { ServiceTopics, type ServiceHandler } from "./services.js";
import { Subscriber } from "./subscriber.js";
import type { SubscriptionReason } from "./subscriptions.js";
import type { ConnectionState, EffectiveLists, LogLevel, SessionEvents, SessionOptions } from "./types.js";

const SWEEP_INTERVAL_MS = 60_000;
/**
 * Topics listed under `buffer` in status; `bufferTopics` says how many there are. A flood over
 * thousands of topics would otherwise make status hundreds of kilobytes, slow to build and
 * costly for Claude to read; `inbox` lists them all.
 */
const STATUS_BUFFER_TOPICS = 100;

function newCounters(): Counters {
  return {
    admitted: 0,
    watched: 0,
    replies: 0,
    dropped: { muted: 0, echo: 0, unmatched: 0, oversize: 0, "duplicate-retained": 0, duplicate: 0, "overlap-copy": 0, redelivered: 0, failed: 0 },
    binary: 0,
    refused: { denied: 0, "not-allowed": 0, "outside-reply-space": 0 },
    nested: 0,
  };
}

export class Session extends EventEmitter<SessionEvents> {
  readonly name: string;
  readonly topics: SessionTopics;
  /** Claude Code's permission requests relayed to this (flow-hosted) session's approvers. */
  readonly approvals = new Approvals();
  private readonly counters = newCounters();
  private readonly problems: string[] = [];
  private readonly lists: SessionLists;
  private readonly buffer: WatchedBuffer;
  private readonly requests: PendingRequests;
  private readonly actions: ActionRoutes;
  private readonly directory: SessionDirectory;
  private readonly seen = new SeenTopics();
  private readonly pings = new PendingPings();
  /** Evictions go out as `limit` events, at most one per interval (see eviction-report.ts). */
  private readonly evictions = new EvictionReporter((hit) => this.emit("limit", hit));
  private readonly permissions: PublishPermissions;
  private readonly connection: Connection;
  private readonly subscriber: Subscriber;
  private readonly beacon: StatusBeacon;
  private readonly pacing: AdmittedPacing;
  private readonly inbound: Inbound;
  private readonly outbound: Outbound;
  private readonly changes: ListChanges;
  private readonly services: ServiceTopics;
  private readonly statusSections = new Map<string, () => unknown>();
  private connectionState: ConnectionState = "disconnected";
  private stateSince = new Date();
  private lastError: string | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: SessionOptions) {
    super();
    const log = (level: LogLevel, message: string): void => void this.emit("log", level, message);
    const problem = (message: string): void => this.problem(message);
    this.name = options.name;
    this.topics = sessionTopics(options.prefix, options.name);
    this.permissions = options.publishPermissions ?? NO_PERMISSIONS;
    const loaded = loadOwnConfig(options.store, this.topics.inbox, problem);
    const own = loaded.config;
    this.lists = new SessionLists(own, options.pinned, options.name);
    for (const bad of this.lists.invalid) problem(`ignored invalid ${bad.list} pattern "${bad.pattern}": ${bad.reason}`);
    this.buffer = new WatchedBuffer({ maxAgeSeconds: own.bufferMaxAge, maxPerTopic: own.bufferMaxPerTopic, maxBytes: options.bufferMaxBytes });
    this.requests = new PendingRequests(options.maxPendingRequests);
    this.actions = new ActionRoutes(options.maxPendingRequests);
    this.directory = new SessionDirectory(options.prefix);

    this.beacon = new StatusBeacon(
      { name: options.name, topic: this.topics.status, host: options.host, heartbeatSeconds: options.heartbeatSeconds, ...(options.statusExtras ? { extras: options.statusExtras } : {}) },
      () => this.connection,
      { log, problem: (message) => this.problemOnce(message) },
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

    this.subscriber = new Subscriber(this.connection, () => this.options.qos, { refused: (refusal, reasons) => this.changes.refused(refusal, reasons), log });
    this.subscriber.want(this.topics.inbox, "inbox");
    this.subscriber.want(this.directory.filter, "directory");
    for (const list of ["admitted", "watched"] as const) {
      for (const pattern of this.lists.effective()[list]) this.subscriber.want(pattern, list);
    }
    this.services = new ServiceTopics(new PublishLane(connectionOptions, this.connection, (message) => log("warn", message)), this.subscriber, log);
    this.pacing = new AdmittedPacing(options.pacing ?? DEFAULT_PACING, pacingChoice(own), {
      notify: (message) => this.emit("notify", message),
      hold: (message) => this.inbound.hold(message),
      digest: (digest) => this.emit("notify", digestMessage(digest, { inbox: this.topics.inbox, name: this.name })),
    });
    const ownPublishes = new RecentPublishes();
    this.inbound = new Inbound({
      name: options.name,
      topics: this.topics,
      host: options.host,
      maxPayloadBytes: options.maxPayloadBytes,
      lists: this.lists,
      buffer: this.buffer,
      evictions: this.evictions,
      counters: this.counters,
      requests: this.requests,
      pings: this.pings,
      seen: this.seen,
      pacing: this.pacing,
      ownPublishes,
      services: this.services,
      beacon: this.beacon,
      directory: this.directory,
      events: this,
      log,
    });
    this.outbound = new Outbound({
      name: options.name,
      prefix: options.prefix,
      topics: this.topics,
      qos: options.qos,
      maxPayloadBytes: options.maxPayloadBytes,
      requestTimeoutSeconds: options.requestTimeoutSeconds,
      connection: this.connection,
      permissions: this.permissions,
      actions: this.actions,
      requests: this.requests,
      pings: this.pings,
      ownPublishes,
      refused: this.counters.refused,
      log,
    });
    this.changes = new ListChanges({
      lists: this.lists,
      store: options.store,
      readOnly: loaded.readOnly,
      subscriber: this.subscriber,
      buffer: this.buffer,
      evictions: this.evictions,
      pacing: this.pacing,
      changed: () => this.emit("lists", this.effectiveLists()),
      problem,
    });
  }

  // ── lifecycle ────────────────────────────────────────────────────────────

  get state(): ConnectionState {
    return this.connectionState;
  }

  /** Starts connecting (returns at once; `state` events tell how it goes). */
  start(): void {
    if (this.stopping) throw new SessionError("session already stopped");
    this.setState("connecting");
    this.emit("log", "info", `connecting to ${redactUrl(this.options.brokerUrl)}`);
    const c = this.connection;
    c.on("connect", () => void this.onConnect());
    c.on("reconnect", () => this.setState("reconnecting"));
    c.on("close", () => {
      if (this.connectionState === "connected") this.setState("disconnected", this.lastError);
    });
    c.on("error", (err) => {
      this.lastError = err.message;
      this.emit("log", "warn", `MQTT error: ${err.message}`);
    });
    c.on("message", (topic, payload, retained) => this.inbound.receive(topic, payload, retained));
    c.on("dropped", (reason) => this.counters.dropped[reason]++);
    c.on("mode", (mode) => {
      if (mode.note) this.emit("log", "warn", mode.note);
    });
    c.open();
    this.beacon.start();
    this.sweep = setInterval(() => this.evictions.add(this.buffer.prune(Date.now())), SWEEP_INTERVAL_MS);
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
    await this.services.close();
    this.setState("stopped");
  }

  private async onConnect(): Promise<void> {
    this.lastError = undefined;
    await this.subscriber.subscribeAll();
    await this.beacon.online();
    this.setState("connected");
    this.emit("log", "info", `connected; subscribed to ${this.subscriber.filters().length} filter(s)`);
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (state === this.connectionState) return;
    this.connectionState = state;
    this.stateSince = new Date();
    this.emit("state", state, detail);
  }

  // ── inbound ──────────────────────────────────────────────────────────────

  /** Sorts a message into its tier (see inbound.ts); claude-gate hands messages in here. */
  ingest(topic: string, message: InboundMessage, options: IngestOptions, raw?: Buffer): IngestOutcome {
    return this.inbound.ingest(topic, message, options, raw);
  }

  inbox(read: InboxRead): InboxResult {
    const now = Date.now();
    this.evictions.add(this.buffer.prune(now));
    return readInbox(this.buffer, read, now);
  }

  /** Clears the first `count` messages `inbox` lists for `filter`: those Claude was shown, and no others. */
  clearRead(filter: string, count: number): number {
    return this.buffer.clearFirst(filter, count);
  }

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

  /** Sessions seen under the prefix, from their retained statuses. */
  sessions(): DirectoryEntry[] {
    return this.directory.list(Date.now());
  }

  // ── outbound ─────────────────────────────────────────────────────────────

  publish(req: PublishRequest): Promise<{ bytes: number }> {
    return this.outbound.publish(req);
  }

  publishForClaude(req: PublishRequest, tool: ClaudePublishTool): Promise<ClaudePublishOutcome> {
    return this.outbound.publishForClaude(req, tool);
  }

  checkReplyTo(topic: string, widen: readonly string[]): void {
    this.outbound.checkReplyTo(topic, widen);
  }

  request(target: string, text: string, timeoutSeconds?: number): Promise<RequestReply> {
    return this.outbound.request(target, text, timeoutSeconds);
  }

  ping(timeoutSeconds: number): Promise<PingResult> {
    return this.outbound.ping(timeoutSeconds);
  }

  publishPermissions(): PublishPermissions {
    return this.permissions;
  }

  /** Routes Claude's publishes matching `route.pattern` to a claude-action node; returns the removal. */
  routeActions(route: ActionRoute): () => void {
    return this.actions.add(route);
  }

  /** The flow's answer to an action; false when no action with that id is waiting (counted). */
  answerAction(correlationId: string, answer: ActionAnswer): boolean {
    return this.actions.answer(correlationId, answer);
  }

  // ── lists and settings ───────────────────────────────────────────────────

  effectiveLists(): EffectiveLists {
    return { ...this.lists.effective(), pinned: this.lists.pinned };
  }

  isPinned(list: ListName, pattern: string): boolean {
    return this.lists.isPinned(list, pattern);
  }

  invalidPatterns(): InvalidPattern[] {
    return [...this.lists.invalid];
  }

  addPattern(list: ListName, pattern: string): Promise<boolean> {
    return this.changes.add(list, pattern);
  }

  removePattern(list: ListName, pattern: string): Promise<boolean> {
    return this.changes.remove(list, pattern);
  }

  stillCovered(pattern: string, except: ListName): ListName | undefined {
    return this.changes.stillCovered(pattern, except);
  }

  config(changes: ConfigChanges): SessionConfig {
    return this.changes.config(changes);
  }

  currentConfig(): SessionConfig {
    return this.lists.own;
  }

  // ── subscriptions and service topics ─────────────────────────────────────

  subscribe(filter: string): Promise<void> {
    return this.subscriber.subscribe(filter);
  }

  unsubscribe(filter: string): Promise<SubscriptionReason[]> {
    return this.subscriber.unsubscribe(filter);
  }

  /** Routes messages on `topic` to `handler` instead of the gate, subscribing while attached. */
  attachService(topic: string, handler: ServiceHandler): Promise<() => Promise<void>> {
    return this.services.attach(topic, handler, !this.stopping);
  }

  /** Publishes a payload as is (no envelope, no echo bookkeeping): the link's frames, on the publish lane. */
  publishService(topic: string, payload: string, retain = false): Promise<void> {
    return this.services.publish(topic, payload, retain);
  }

  /** Adds a named section to the status snapshot (e.g. the flow link's counters). */
  addStatusSection(name: string, section: () => unknown): () => void {
    this.statusSections.set(name, section);
    return () => this.statusSections.delete(name);
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
      activeSubscriptions: this.subscriber.filters().filter((f) => f !== this.directory.filter),
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

  private problemOnce(message: string): void {
    if (!this.problems.includes(message)) this.problem(message);
  }

  private problem(message: string): void {
    this.problems.push(message);
    this.emit("log", "error", message);
  }
}
