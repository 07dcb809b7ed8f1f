/**
 * The session's retained status on `<prefix>/sessions/<name>/status` (shape in status.ts):
 * online on connect and every heartbeat, offline on a clean stop, the Last Will for a
 * lost connection; and what another client's status on that topic means.
 */
import { randomUUID } from "node:crypto";
import type { Connection } from "./connection.js";
import { isStale, parseStatus, type ReceivedStatus, type StatusPayload, type WillPayload } from "./status.js";
import type { HostKind, LogLevel } from "./types.js";

export interface BeaconOptions {
  name: string;
  topic: string;
  host: HostKind;
  heartbeatSeconds: number;
  /** Fields the host adds to every status (the flow link's epoch). */
  extras?: () => Record<string, unknown>;
}

export interface BeaconReport {
  log(level: LogLevel, message: string): void;
  /** A problem worth showing in `status` (reported once per text). */
  problem(message: string): void;
}

export class StatusBeacon {
  readonly startedAt = new Date();
  /** Random per running instance: tells two instances started in the same millisecond apart. */
  readonly instance = randomUUID().slice(0, 8);
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `connection` is asked for when needed: the connection is built with this beacon's Will. */
  constructor(
    private readonly options: BeaconOptions,
    private readonly connection: () => Connection,
    private readonly report: BeaconReport,
  ) {}

  /** Starts the heartbeat: an online status every `heartbeatSeconds`. */
  start(): void {
    this.heartbeat = setInterval(() => void this.online(), this.options.heartbeatSeconds * 1000);
  }

  /** Publishes the online status, when connected. */
  async online(): Promise<void> {
    const connection = this.connection();
    if (!connection.connected) return;
    try {
      await connection.publish(this.options.topic, JSON.stringify(this.payload("online")), 1, true);
    } catch (err) {
      this.report.log("warn", `status publish failed: ${(err as Error).message}`);
    }
  }

  /** Stops the heartbeat and, unless another host has the session now (`handOver`), publishes offline. */
  async stop(handOver: boolean): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    const connection = this.connection();
    if (!connection.connected || handOver) return;
    try {
      await connection.publish(this.options.topic, JSON.stringify(this.payload("offline", "shutdown")), 1, true);
    } catch (err) {
      this.report.log("warn", `could not publish offline status: ${(err as Error).message}`);
    }
  }

  /** The Last Will, fixed at each CONNECT: it names when it was made (`connectedAt`), never a last-seen time it cannot know. */
  will(): string {
    const { ts: _ts, lastSeen: _lastSeen, ...status } = this.payload("offline", "connection lost");
    const will: WillPayload = { ...status, connectedAt: new Date().toISOString() };
    return JSON.stringify(will);
  }

  /**
   * Another client on our status topic. Online: a second host under the same name,
   * reported as a problem. Offline: a host that stood in for it under the same name and
   * ended; left alone, that retained status keeps bridges away until the next
   * heartbeat, so the session says again that it is online. Its own Last Will (a broker
   * shutting down delivers it to the session too, just before closing the connection)
   * names its own instance; the reconnect publishes online anyway.
   */
  heard(payload: Buffer, retained: boolean): void {
    if (this.stopped) return;
    const status = parseStatus(payload);
    if (!status || this.isMine(status)) return;
    // Another instance of this session on the same kind of host uses the same persistent
    // client id, and each connect knocks the other off: the older instance yields (a retained
    // status counts too: with Mosquitto, the two never see each other's live one).
    if (status.status === "online" && status.host === this.options.host && !isStale(status, Date.now()) && this.isOlderThan(status)) {
      this.connection().yieldSession(`a newer instance of session "${this.options.name}" (${status.instance ?? "started " + (status.startedAt ?? "at an unknown time")})`);
    }
    // A retained status is history (perhaps our own predecessor's); only live ones are news.
    if (retained) return;
    if (status.status === "online") return this.reportSecondHost(status.host);
    this.report.log("warn", "another client reported this session offline on its status topic; publishing online again");
    void this.online();
  }

  private payload(status: "online" | "offline", reason?: string): StatusPayload {
    const now = new Date().toISOString();
    return {
      status,
      session: this.options.name,
      ts: now,
      lastSeen: now,
      startedAt: this.startedAt.toISOString(),
      instance: this.instance,
      host: this.options.host,
      heartbeat: this.options.heartbeatSeconds,
      ...(reason ? { reason } : {}),
      ...this.options.extras?.(),
    };
  }

  private isMine(status: ReceivedStatus): boolean {
    return status.instance !== undefined ? status.instance === this.instance : status.startedAt === this.startedAt.toISOString();
  }

  /** Instances are ordered by start time, then instance id. */
  private isOlderThan(status: ReceivedStatus): boolean {
    const mine = `${this.startedAt.toISOString()} ${this.instance}`;
    return mine < `${status.startedAt ?? ""} ${status.instance ?? ""}`;
  }

  /** Two hosts under one name take each other's messages and replies: say so. */
  private reportSecondHost(host: string | undefined): void {
    const name = this.options.name;
    this.report.problem(
      host === "flow" && this.options.host === "bridge"
        ? `a Node-RED flow now hosts session "${name}" too; with SESSION_HOST=auto (and SESSION_LINK_KEY) the bridge hands the session to it by itself, no restart needed`
        : `another ${host ?? "client"} is also running session "${name}" on this broker; give one of them another name`,
    );
  }
}
