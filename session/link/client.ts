/**
 * The bridge side of the link: a thin window onto a flow-hosted session.
 *
 * It says hello on the session's `rpc` topic (and again every `pingMs`, so the flow
 * knows it is there), forwards tool calls and waits for their results on its own
 * reply topic, and turns the flow's numbered `channel` events into notifications,
 * in order, without duplicates, acknowledging what it delivered. When the flow
 * restarts (a new epoch in its retained status) it says hello again by itself.
 */
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { sessionTopics, type SessionTopics } from "../../core/layout.js";
import { brokerOf, Connection, type ConnectionOptions } from "../connection.js";
import { PublishLane } from "../lane.js";
import { parseStatus, withLastSeenBefore, type ReceivedStatus } from "../status.js";
import type { ToolOutcome } from "../tools/run.js";
import type { AdmittedMessage, BrokerOptions, LogLevel } from "../types.js";
import {
  decodeFrame,
  emptyRefusals,
  encodeFrame,
  NonceCache,
  replyTopic,
  type FrameBody,
  type RefusalCounts,
} from "./protocol.js";

export interface LinkClientOptions extends BrokerOptions {
  prefix: string;
  name: string;
  key: string;
  /** How long an ordinary tool call may take before the flow counts as unreachable. */
  callTimeoutMs?: number;
  pingMs?: number;
}

export interface LinkClientEvents {
  admitted: [message: AdmittedMessage];
  welcome: [welcome: FrameBody<"welcome">];
  verdict: [verdict: FrameBody<"verdict">];
  notice: [text: string];
  status: [status: ReceivedStatus | undefined];
  log: [level: LogLevel, message: string];
}

interface WaitingCall {
  resolve(outcome: ToolOutcome): void;
  timer: NodeJS.Timeout;
}

export class LinkClient extends EventEmitter<LinkClientEvents> {
  readonly id = `b${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  readonly topics: SessionTopics;
  private readonly replies: string;
  private readonly connection: Connection;
  /** Frames go out on a publish-only connection, so PUBACKs never hold back events (see lane.ts). */
  private readonly lane: PublishLane;
  private readonly nonces = new NonceCache();
  private readonly refused = emptyRefusals();
  private readonly calls = new Map<string, WaitingCall>();
  private flowStatus: ReceivedStatus | undefined;
  private lastWelcome: FrameBody<"welcome"> | undefined;
  private epoch: string | undefined;
  private lastSeq = 0;
  private readonly delivered = new RecentIds(DELIVERED_IDS_KEPT);
  private repeatsSkipped = 0;
  private ackTimer: NodeJS.Timeout | undefined;
  private helloSentAt = 0;
  private ping: NodeJS.Timeout | undefined;

  constructor(private readonly options: LinkClientOptions) {
    super();
    this.topics = sessionTopics(options.prefix, options.name);
    this.replies = replyTopic(this.topics.rpc, this.id);
    const connectionOptions: ConnectionOptions = { ...brokerOf(options), clientId: `claude-${options.name}-bridge-${this.id.slice(1, 9)}` };
    this.connection = new Connection(connectionOptions);
    this.lane = new PublishLane(connectionOptions, this.connection, (message) => this.emit("log", "warn", message));
  }

  /** Starts connecting; on every connect it subscribes and says hello. Does not wait for the broker. */
  start(): void {
    const c = this.connection;
    c.on("connect", () => void this.onConnect());
    c.on("error", (err) => this.emit("log", "warn", `MQTT error: ${err.message}`));
    c.on("message", (topic, payload) => this.onMessage(topic, payload));
    c.open();
    this.lane.open();
    this.ping = setInterval(() => void this.hello(), this.options.pingMs ?? 15_000);
  }

  /** Resolves with the flow's retained status once seen, or undefined after `timeoutMs`. */
  waitForStatus(timeoutMs: number): Promise<ReceivedStatus | undefined> {
    if (this.flowStatus) return Promise.resolve(this.flowStatus);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off("status", onStatus);
        resolve(undefined);
      }, timeoutMs);
      const onStatus = (status: ReceivedStatus | undefined): void => {
        clearTimeout(timer);
        this.off("status", onStatus);
        resolve(status);
      };
      this.on("status", onStatus);
    });
  }

  /** Resolves with the flow's first welcome, or undefined after `timeoutMs`. */
  waitForWelcome(timeoutMs: number): Promise<FrameBody<"welcome"> | undefined> {
    if (this.lastWelcome) return Promise.resolve(this.lastWelcome);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off("welcome", onWelcome);
        resolve(undefined);
      }, timeoutMs);
      const onWelcome = (welcome: FrameBody<"welcome">): void => {
        clearTimeout(timer);
        this.off("welcome", onWelcome);
        resolve(welcome);
      };
      this.on("welcome", onWelcome);
    });
  }

  /** Relays one of Claude Code's permission requests to the flow; its verdict comes back as a `verdict` event. */
  async relayPermission(request: FrameBody<"permission">): Promise<void> {
    await this.send("permission", { ...request, ...this.addressed() });
  }

  async stop(): Promise<void> {
    clearInterval(this.ping);
    clearTimeout(this.ackTimer);
    this.failCalls("the bridge is shutting down");
    if (this.connection.connected) {
      await this.sendAck();
      await this.send("bye", { bridge: this.id, ...this.addressed() }).catch(() => undefined);
    }
    await this.connection.close();
    this.connection.removeAllListeners();
    await this.lane.close();
  }

  /** The flow's latest retained status, if one was seen. */
  get status(): ReceivedStatus | undefined {
    return this.flowStatus;
  }

  stats(): { bridge: string; connected: boolean; flowEpoch?: string; lastSeq: number; repeatsSkipped: number; refused: RefusalCounts } {
    return {
      bridge: this.id,
      connected: this.connection.connected,
      ...(this.epoch ? { flowEpoch: this.epoch } : {}),
      lastSeq: this.lastSeq,
      repeatsSkipped: this.repeatsSkipped,
      refused: { ...this.refused },
    };
  }

  /** Runs a tool on the flow's session. Never throws: an unreachable flow is an error result. */
  async call(tool: string, args: unknown, timeoutMs = this.options.callTimeoutMs ?? 5000): Promise<ToolOutcome> {
    const away = this.unreachableReason();
    if (away) return { text: `${tool} failed: ${away}`, isError: true };
    const id = randomUUID();
    const result = new Promise<ToolOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        resolve({
          text: `${tool} failed: the flow hosting session "${this.options.name}" did not answer within ${timeoutMs / 1000}s. Check that Node-RED is running and that the claude-session node uses the same link key (SESSION_LINK_KEY).`,
          isError: true,
        });
      }, timeoutMs);
      this.calls.set(id, { resolve, timer });
    });
    try {
      await this.send("call", { id, tool, args: args ?? {}, ...this.addressed() });
    } catch (err) {
      const waiting = this.calls.get(id);
      if (waiting) {
        clearTimeout(waiting.timer);
        this.calls.delete(id);
      }
      return { text: `${tool} failed: ${(err as Error).message}`, isError: true };
    }
    return result;
  }

  /**
   * The start of the flow's session a call is meant for: the one its retained status
   * announces (a deploy's new one may be there before its welcome), else the welcome's.
   */
  private addressed(): { epoch?: string } {
    const epoch = linkEpochOf(this.flowStatus) ?? this.epoch;
    return epoch ? { epoch } : {};
  }

  private unreachableReason(): string | undefined {
    if (!this.connection.connected) return "the bridge is not connected to the broker";
    const status = this.flowStatus;
    if (!status) return `no flow has published a status for session "${this.options.name}" (is the claude-session node deployed?)`;
    if (status.status !== "online") {
      return `the flow hosting session "${this.options.name}" is offline${status.lastSeen ? ` (last seen ${status.lastSeen})` : ""}`;
    }
    return undefined;
  }

  private async onConnect(): Promise<void> {
    try {
      await this.connection.subscribe([this.topics.channel, this.replies, this.topics.status], 1);
      await this.hello();
    } catch (err) {
      this.emit("log", "error", `link subscribe failed: ${(err as Error).message}`);
    }
  }

  /**
   * Says hello (and so asks for a replay after `lastSeq`). A burst of out-of-order
   * events must not turn into a burst of hellos, each replaying the whole outbox:
   * while a hello is unanswered, `urgent` ones wait a second.
   */
  private async hello(urgent = false): Promise<void> {
    if (!this.connection.connected) return;
    const now = Date.now();
    if (urgent && now - this.helloSentAt < 1000) return;
    this.helloSentAt = now;
    const body: FrameBody<"hello"> = { bridge: this.id, replyTopic: this.replies, lastSeq: this.lastSeq, ...(this.epoch ? { epoch: this.epoch } : {}) };
    await this.send("hello", body).catch((err: Error) => this.emit("log", "warn", `hello not sent: ${err.message}`));
  }

  private async send<T extends "hello" | "call" | "ack" | "bye" | "permission">(type: T, body: FrameBody<T>): Promise<void> {
    await this.lane.publish(this.topics.rpc, encodeFrame(this.options.key, this.topics.rpc, type, this.id, body), 1, false);
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.topics.status) return this.onStatus(payload);
    const accept = topic === this.replies ? (["welcome", "result", "verdict"] as const) : (["event"] as const);
    const frame = decodeFrame(this.options.key, topic, payload, accept, this.nonces);
    if (!frame.ok) {
      this.refused[frame.reason]++;
      this.emit("log", "warn", `refused a link frame on ${topic}: ${frame.reason} (${frame.detail})`);
      return;
    }
    if (frame.type === "welcome") this.onWelcome(frame.body as FrameBody<"welcome">);
    else if (frame.type === "result") this.onResult(frame.body as FrameBody<"result">);
    else if (frame.type === "verdict") this.emit("verdict", frame.body as FrameBody<"verdict">);
    else this.onEvent(frame.body as FrameBody<"event">);
  }

  private onStatus(payload: Buffer): void {
    const before = this.flowStatus;
    const parsed = payload.length > 0 ? parseStatus(payload) : undefined;
    const status = parsed && withLastSeenBefore(parsed, before);
    this.flowStatus = status;
    this.emit("status", status);
    const cameBack = status?.status === "online" && (before?.status !== "online" || linkEpochOf(before) !== linkEpochOf(status));
    if (cameBack) void this.hello();
    // Calls may wait minutes (a request, a claude-action): a flow that went away will not answer them.
    if (before?.status === "online" && status?.status !== "online") this.failCalls(`the flow hosting session "${this.options.name}" went offline before answering`);
  }

  private failCalls(reason: string): void {
    for (const [id, call] of this.calls) {
      clearTimeout(call.timer);
      this.calls.delete(id);
      call.resolve({ text: `failed: ${reason}`, isError: true });
    }
  }

  private onWelcome(welcome: FrameBody<"welcome">): void {
    this.helloSentAt = 0;
    this.lastWelcome = welcome;
    this.emit("welcome", welcome);
    if (welcome.epoch !== this.epoch) {
      this.epoch = welcome.epoch;
      this.lastSeq = welcome.firstSeq - 1;
    }
    if (welcome.droppedWhileAway > 0) {
      this.emit(
        "notice",
        `${welcome.droppedWhileAway} admitted message(s) were dropped by the flow while Claude was not connected (its outbox was full).`,
      );
    }
  }

  private onResult(result: FrameBody<"result">): void {
    const waiting = this.calls.get(result.id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.calls.delete(result.id);
    waiting.resolve("data" in result ? { data: result.data, isError: false } : { text: result.text, isError: result.isError });
  }

  private onEvent(event: FrameBody<"event">): void {
    if (event.epoch !== this.epoch) {
      // Events of a flow session we have not been welcomed by yet: they are kept
      // in its outbox and replayed after the next welcome.
      void this.hello(true);
      return;
    }
    if (event.seq <= this.lastSeq) return;
    if (event.seq > this.lastSeq + 1) {
      void this.hello(true);
      return;
    }
    this.lastSeq = event.seq;
    this.scheduleAck();
    const { extra, id, ...rest } = event.message;
    if (id !== undefined && !this.delivered.add(id)) {
      // Delivered in an earlier epoch, sent again before its acknowledgement reached the flow.
      this.repeatsSkipped++;
      return;
    }
    const message: AdmittedMessage = { ...stripUndefined(rest), ...(extra ? { extra } : {}) };
    this.emit("admitted", message);
  }

  private scheduleAck(): void {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      void this.sendAck();
    }, 100);
  }

  private async sendAck(): Promise<void> {
    if (!this.epoch || this.lastSeq === 0) return;
    await this.send("ack", { epoch: this.epoch, seq: this.lastSeq }).catch((err: Error) =>
      this.emit("log", "warn", `ack not sent: ${err.message}`),
    );
  }
}

/** The link epoch an online flow's retained status announces. */
function linkEpochOf(status: ReceivedStatus | undefined): string | undefined {
  if (status?.status !== "online") return undefined;
  const epoch = (status.link as { epoch?: unknown } | undefined)?.epoch;
  return typeof epoch === "string" && epoch.length > 0 ? epoch : undefined;
}

/** Message ids a bridge remembers: ten full outboxes (1,000 each), so an outbox sent again is recognised whole. */
const DELIVERED_IDS_KEPT = 10_000;

/** The last `max` ids seen, in a set. */
class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly max: number) {}

  /** False when `id` is among those remembered. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
