/**
 * The flow side of the link: serves a flow-hosted Session to bridges.
 *
 * Tool calls arrive on `rpc` and run through the same tool layer the bridge uses
 * locally. What the session has for Claude (admitted messages, paced) goes out on `channel`, numbered within an epoch (one per
 * session start). They stay in a bounded outbox until a bridge acknowledges them, so
 * a bridge that restarts, or was not connected yet, gets them in order when it says
 * hello; with an outbox store they also wait across a deploy. When the outbox is full
 * the oldest go first; they are counted and the next bridge to attach is told how many.
 *
 * A call, permission request or bye names the epoch it is meant for; one meant for
 * another start of the session (captured before a deploy or restart and sent again, or
 * sent just before one) is refused as `other-epoch` and never run.
 */
import { randomUUID } from "node:crypto";
import type { Session } from "../session.js";
import { runTool } from "../tools/run.js";
import type { Verdict } from "../../core/permission-requests.js";
import type { AdmittedMessage } from "../types.js";
import { toChannelMessage, type ChannelMessage } from "./messages.js";
import type { OutboxStore } from "./outbox-store.js";
import {
  decodeFrame,
  emptyRefusals,
  encodeFrame,
  LINK_PROTOCOL_VERSION,
  NonceCache,
  replyTopic,
  type FrameBody,
  type RefusalCounts,
} from "./protocol.js";

export interface LinkHostOptions {
  key: string;
  /** Admitted messages kept for a bridge that is away (default 1000). */
  outboxLimit?: number;
  /** A bridge not heard from for this long counts as gone (default 45 s). */
  bridgeTimeoutMs?: number;
  /** Told after each frame that arrives and each tool call it ran: bridges, outbox or refusals may have changed. */
  onChange?: () => void;
  /** Where undelivered messages wait between one session and the next (a deploy, a restart). */
  outboxStore?: OutboxStore;
}

interface Pending {
  seq: number;
  message: ChannelMessage;
}

export interface LinkHostStats {
  protocol: number;
  epoch: string;
  bridges: Array<{ id: string; lastSeen: string }>;
  outbox: number;
  outboxLimit: number;
  droppedWhileAway: number;
  refused: RefusalCounts;
}

export class LinkHost {
  readonly epoch = randomUUID();
  private readonly nonces = new NonceCache();
  private readonly refused = emptyRefusals();
  private readonly outbox: Pending[] = [];
  private readonly bridges = new Map<string, number>();
  private seq = 0;
  private droppedTotal = 0;
  private droppedUnreported = 0;
  private readonly outboxLimit: number;
  private readonly bridgeTimeoutMs: number;
  private detach: (() => Promise<void>) | undefined;
  private removeSection: (() => void) | undefined;
  private readonly onNotify = (message: AdmittedMessage): void => this.enqueue(toChannelMessage(message));
  private readonly onVerdict = (verdict: Verdict, bridge: string | undefined): void => {
    if (bridge) void this.reply(bridge, "verdict", verdict);
  };

  constructor(private readonly session: Session, private readonly options: LinkHostOptions) {
    this.outboxLimit = options.outboxLimit ?? 1000;
    this.bridgeTimeoutMs = options.bridgeTimeoutMs ?? 45_000;
  }

  async start(): Promise<void> {
    for (const message of this.options.outboxStore?.load() ?? []) this.enqueue(message, false);
    this.session.on("notify", this.onNotify);
    this.session.approvals.on("verdict", this.onVerdict);
    this.removeSection = this.session.addStatusSection("link", () => this.stats());
    this.detach = await this.session.attachService(this.session.topics.rpc, (topic, payload) => this.onFrame(topic, payload));
  }

  async stop(): Promise<void> {
    this.session.off("notify", this.onNotify);
    this.session.approvals.off("verdict", this.onVerdict);
    this.saveOutbox();
    this.removeSection?.();
    const detach = this.detach;
    this.detach = undefined;
    if (detach) await detach().catch(() => undefined);
  }

  get attached(): boolean {
    this.forgetQuietBridges();
    return this.bridges.size > 0;
  }

  /** The bridges listed are those heard from within the bridge timeout. */
  stats(): LinkHostStats {
    this.forgetQuietBridges();
    return {
      protocol: LINK_PROTOCOL_VERSION,
      epoch: this.epoch,
      bridges: [...this.bridges].map(([id, seen]) => ({ id, lastSeen: new Date(seen).toISOString() })),
      outbox: this.outbox.length,
      outboxLimit: this.outboxLimit,
      droppedWhileAway: this.droppedTotal,
      refused: { ...this.refused },
    };
  }

  private forgetQuietBridges(): void {
    const now = Date.now();
    for (const [id, seen] of this.bridges) {
      if (now - seen > this.bridgeTimeoutMs) this.bridges.delete(id);
    }
  }

  private saveOutbox(): void {
    const store = this.options.outboxStore;
    if (!store) return;
    try {
      store.save(this.outbox.map((entry) => entry.message));
    } catch (err) {
      this.session.emit("log", "error", `link: ${this.outbox.length} undelivered message(s) could not be saved: ${(err as Error).message}`);
    }
  }

  /** Journals what changed in the outbox; a journal that cannot be written is reported, the outbox goes on in memory. */
  private journal(change: (store: OutboxStore) => void): void {
    const store = this.options.outboxStore;
    if (!store) return;
    try {
      change(store);
      if (store.wantsCompaction) store.save(this.outbox.map((entry) => entry.message));
    } catch (err) {
      this.session.emit("log", "error", `link: the outbox journal could not be written (${(err as Error).message}); undelivered messages are kept in memory only`);
    }
  }

  /** Adds a message to the outbox (journalled first, unless it was just loaded from the journal) and sends it to attached bridges. */
  private enqueue(message: ChannelMessage, journal = true): void {
    const entry: Pending = { seq: ++this.seq, message };
    this.outbox.push(entry);
    if (journal) this.journal((store) => store.added(message));
    if (this.outbox.length > this.outboxLimit) {
      this.outbox.shift();
      if (journal) this.journal((store) => store.removed(1));
      this.droppedTotal++;
      this.droppedUnreported++;
      this.session.emit("limit", {
        limit: "undelivered",
        message: `the link outbox is full (${this.outboxLimit}); the oldest admitted message not yet delivered to Claude was dropped`,
      });
    }
    if (this.attached) void this.send(entry);
  }

  private async send(entry: Pending): Promise<void> {
    const topic = this.session.topics.channel;
    const frame = encodeFrame(this.options.key, topic, "event", "flow", { epoch: this.epoch, seq: entry.seq, message: entry.message });
    try {
      await this.session.publishService(topic, frame);
    } catch (err) {
      // The entry stays in the outbox: the bridge gets it on its next hello.
      this.session.emit("log", "warn", `link: event ${entry.seq} not sent (${(err as Error).message}); kept for the next hello`);
    }
  }

  private onFrame(topic: string, payload: Buffer): void {
    this.handleFrame(topic, payload);
    this.options.onChange?.();
  }

  private handleFrame(topic: string, payload: Buffer): void {
    const frame = decodeFrame(this.options.key, topic, payload, ["hello", "call", "ack", "bye", "permission"], this.nonces);
    if (!frame.ok) {
      this.refused[frame.reason]++;
      this.session.emit("log", "warn", `link: refused a frame on ${topic}: ${frame.reason} (${frame.detail})`);
      return;
    }
    if (!this.forThisEpoch(topic, frame.from, frame.type, frame.body)) return;
    this.bridges.set(frame.from, Date.now());
    switch (frame.type) {
      case "hello":
        void this.welcome(frame.from, frame.body as FrameBody<"hello">);
        break;
      case "call":
        void this.call(frame.from, frame.body as FrameBody<"call">);
        break;
      case "ack":
        this.ack(frame.body as FrameBody<"ack">);
        break;
      case "bye":
        this.bridges.delete(frame.from);
        break;
      case "permission":
        this.permission(frame.from, frame.body as FrameBody<"permission">);
        break;
    }
  }

  /**
   * Frames that make the flow act must name this epoch. A call that does not is answered
   * (it was not run, and the bridge says so to Claude); the others are only counted.
   */
  private forThisEpoch(topic: string, from: string, type: string, body: unknown): boolean {
    if (type !== "call" && type !== "permission" && type !== "bye") return true;
    const { epoch } = body as { epoch?: string };
    if (epoch === this.epoch) return true;
    this.refused["other-epoch"]++;
    this.session.emit("log", "warn", `link: refused a ${type} frame on ${topic}: other-epoch (meant for ${epoch ?? "no"} epoch, this one is ${this.epoch})`);
    if (type === "call") {
      const text = epoch
        ? `not run: the call was meant for an earlier start of session "${this.session.name}" (the flow was deployed or restarted since); call the tool again`
        : `not run: this bridge is older than the flow's session "${this.session.name}" and does not say which start of it a call is for; update the claude-channel plugin`;
      void this.reply(from, "result", { id: (body as FrameBody<"call">).id, text, isError: true });
    }
    return false;
  }

  private async welcome(bridge: string, hello: FrameBody<"hello">): Promise<void> {
    const body: FrameBody<"welcome"> = {
      session: this.session.name,
      epoch: this.epoch,
      firstSeq: this.outbox[0]?.seq ?? this.seq + 1,
      lastSeq: this.seq,
      droppedWhileAway: this.droppedUnreported,
      approver: this.session.approvals.hasApprover,
    };
    this.droppedUnreported = 0;
    await this.reply(bridge, "welcome", body);
    const after = hello.epoch === this.epoch ? (hello.lastSeq ?? 0) : 0;
    for (const entry of this.outbox.filter((e) => e.seq > after)) await this.send(entry);
  }

  private async call(bridge: string, call: FrameBody<"call">): Promise<void> {
    const outcome = await runTool(this.session, call.tool, call.args);
    this.options.onChange?.();
    await this.reply(bridge, "result", outcome.data ? { id: call.id, data: outcome.data, isError: false } : { id: call.id, text: outcome.text, isError: outcome.isError });
  }

  private permission(bridge: string, request: FrameBody<"permission">): void {
    const { expires: _, epoch: __, ...fields } = request;
    if (!this.session.approvals.request(fields, bridge, Date.now())) {
      this.session.emit("log", "warn", `link: permission request ${request.request_id} (${request.tool_name}) not relayed: no claude-permission node can take it`);
    }
  }

  private ack(ack: FrameBody<"ack">): void {
    if (ack.epoch !== this.epoch) return;
    let removed = 0;
    while (this.outbox.length > 0 && this.outbox[0]!.seq <= ack.seq) {
      this.outbox.shift();
      removed++;
    }
    if (removed > 0) this.journal((store) => store.removed(removed));
  }

  private async reply<T extends "welcome" | "result" | "verdict">(bridge: string, type: T, body: FrameBody<T>): Promise<void> {
    const topic = replyTopic(this.session.topics.rpc, bridge);
    try {
      await this.session.publishService(topic, encodeFrame(this.options.key, topic, type, "flow", body));
    } catch (err) {
      this.session.emit("log", "warn", `link: ${type} to bridge ${bridge} not sent: ${(err as Error).message}`);
    }
  }
}
