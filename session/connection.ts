/**
 * The session's one MQTT client. It records every listener it puts on the mqtt.js
 * client and removes exactly those, bounds every wait (acks, close), and turns
 * broker refusals into errors instead of letting them pass silently.
 *
 * Rules:
 * - MQTT 5 first. A broker that refuses it (CONNACK "unacceptable protocol version") gets
 *   MQTT 3.1.1 with a clean session, and `mode` says so.
 * - With `persistent`, the session is a persistent MQTT 5 one: a stable client id, clean
 *   start off and a session expiry, so the broker keeps the subscriptions and queues QoS 1
 *   messages while the client is away (a restart, a redeploy, a broker restart with
 *   persistence).
 * - Taken over (DISCONNECT "session taken over", 0x8E, from brokers that send it; or
 *   `yieldSession` when the owner learns of a newer instance some other way — Mosquitto just
 *   closes the socket): the newer client keeps the id; this one goes on with a clean session
 *   under its own unique id instead of taking the id back, so two instances never knock each
 *   other off in a loop. `mode` says so.
 * - Each SUBSCRIBE carries its own subscription identifier. A broker may send one copy of a
 *   message per matching subscription (Mosquitto does, to MQTT 5 clients); copies come one
 *   after the other with the same topic and payload and another identifier, and only the first
 *   is passed on. A QoS 1 message the broker sends again (DUP set, after a reconnect) that was
 *   received shortly before is passed on once too. Both are reported as drops.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import { EventEmitter } from "node:events";
import { TurnBudget } from "./turn-budget.js";
import type { BrokerOptions, CopyDrop } from "./types.js";

export class ConnectionError extends Error {
  /** True when the broker said no (a SUBACK failure code), as opposed to not answering. */
  constructor(message: string, readonly refused = false) {
    super(message);
  }
}

/** The broker fields of `options` that are set, and nothing else. */
export function brokerOf(options: BrokerOptions): BrokerOptions {
  return {
    brokerUrl: options.brokerUrl,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  };
}

export interface ConnectionOptions extends BrokerOptions {
  clientId: string;
  /** The Last Will (the session's offline status); a link client has none. */
  will?: { topic: string; payload: () => string };
  keepaliveSeconds?: number;
  /** A persistent MQTT 5 session under a stable id; absent (or 0 s): a clean session under `clientId`. */
  persistent?: { clientId: string; expirySeconds: number };
}

/** How the connection talks to the broker now. */
export interface ConnectionMode {
  protocol: "5" | "3.1.1";
  /** True for a persistent session (the broker keeps subscriptions and queues QoS 1 messages while away). */
  persistent: boolean;
  clientId: string;
  /** Why the connection is not what was asked for (the broker refused MQTT 5, another instance took the id over). */
  note?: string;
}

export interface ConnectionEvents {
  connect: [];
  close: [];
  reconnect: [];
  offline: [];
  error: [error: Error];
  message: [topic: string, payload: Buffer, retained: boolean];
  /** A message not passed on: a copy for an overlapping subscription, or a QoS 1 redelivery of one received. */
  dropped: [reason: CopyDrop, topic: string];
  /** `mode` changed (a fallback to MQTT 3.1.1, a takeover). */
  mode: [mode: ConnectionMode];
}

const ACK_DEADLINE_MS = 10_000;
const CLOSE_DEADLINE_MS = 2_000;
/** CONNACK codes for a protocol version the broker does not speak (3.1.1's 1, MQTT 5's 0x84). */
const UNSUPPORTED_PROTOCOL = new Set([1, 0x84]);
const SESSION_TAKEN_OVER = 0x8e;
/** The recent messages a redelivery is compared with: this many, and at most this many payload bytes. */
const RECENT_MESSAGES = 256;
const RECENT_BYTES = 1 << 20;
/** Time one event-loop turn spends on incoming messages before the rest wait for the next (see TurnBudget): a small share of the 50 ms a turn may take. */
const TURN_BUDGET_MS = 5;
/** Messages that may wait for a later turn: a few seconds of a heavy flood. */
const MAX_WAITING_MESSAGES = 50_000;

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectionError(`${what}: no answer from the broker within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export class Connection extends EventEmitter<ConnectionEvents> {
  private client: MqttClient | undefined;
  private readonly clientListeners: Array<[string, (...args: unknown[]) => void]> = [];
  private currentMode: ConnectionMode;
  private readonly subscriptionIds = new Map<string, number>();
  private nextSubscriptionId = 1;
  private readonly copies: CopyFilter;
  private readonly incoming = new TurnBudget<[topic: string, payload: Buffer, packet: IPublishPacket]>(
    (topic, payload, packet) => this.onMessage(topic, payload, packet),
    TURN_BUDGET_MS,
    MAX_WAITING_MESSAGES,
  );

  constructor(private readonly options: ConnectionOptions) {
    super();
    const persistent = options.persistent && options.persistent.expirySeconds > 0 ? options.persistent : undefined;
    this.copies = (persistent && takeCopyFilter(persistent.clientId)) || new CopyFilter();
    this.currentMode = { protocol: "5", persistent: persistent !== undefined, clientId: persistent?.clientId ?? options.clientId };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get mode(): ConnectionMode {
    return { ...this.currentMode };
  }

  open(): void {
    if (this.client) return;
    if (this.options.password && !this.options.username) {
      // MQTT §3.1.2.9 (3.1.1) allows a password only with a username; a broker closes such a connection without a word.
      queueMicrotask(() =>
        this.emit("error", new ConnectionError("a password is set without a username; it is not sent (MQTT needs both)")),
      );
    }
    this.connectClient();
  }

  private clientOptions(): IClientOptions & { passphrase?: string } {
    const { tls } = this.options;
    const mode = this.currentMode;
    // mqtt.js hands these options on to tls.connect, which also takes the key's passphrase.
    const clientOptions: IClientOptions & { passphrase?: string } = {
      clientId: mode.clientId,
      protocolVersion: mode.protocol === "5" ? 5 : 4,
      clean: !mode.persistent,
      resubscribe: false,
      reconnectPeriod: 1000,
      connectTimeout: 30_000,
      keepalive: this.options.keepaliveSeconds ?? 60,
      queueQoSZero: false,
    };
    // mqtt.js logs through `debug` about ten times per packet; even switched off, each call
    // allocates its arguments. Without DEBUG set nothing would print, so it gets a logger that does nothing.
    if (process.env.DEBUG === undefined) clientOptions.log = ignoreLog;
    if (mode.persistent) clientOptions.properties = { sessionExpiryInterval: this.options.persistent!.expirySeconds };
    const will = this.options.will;
    if (will) clientOptions.will = { topic: will.topic, payload: Buffer.from(will.payload()), qos: 1, retain: true };
    if (this.options.username) clientOptions.username = this.options.username;
    if (this.options.password && this.options.username) clientOptions.password = this.options.password;
    if (tls?.ca) clientOptions.ca = tls.ca;
    if (tls?.cert) clientOptions.cert = tls.cert;
    if (tls?.key) clientOptions.key = tls.key;
    if (tls?.passphrase) clientOptions.passphrase = tls.passphrase;
    if (tls?.servername) clientOptions.servername = tls.servername;
    if (tls?.rejectUnauthorized !== undefined) clientOptions.rejectUnauthorized = tls.rejectUnauthorized;
    return clientOptions;
  }

  private connectClient(): void {
    const client = mqtt.connect(this.options.brokerUrl, this.clientOptions());
    const will = this.options.will;
    this.client = client;
    this.subscriptionIds.clear();
    this.on_(client, "connect", () => this.emit("connect"));
    this.on_(client, "reconnect", () => {
      // The Will goes out with each CONNECT: refresh its timestamp so it is never stale.
      if (client.options.will && will) client.options.will.payload = Buffer.from(will.payload());
      this.emit("reconnect");
    });
    this.on_(client, "close", () => this.emit("close"));
    this.on_(client, "offline", () => this.emit("offline"));
    this.on_(client, "error", (err: Error & { code?: unknown }) => {
      if (this.client !== client) return; // a late error of a client being replaced or closed: not news
      if (this.currentMode.protocol === "5" && typeof err.code === "number" && UNSUPPORTED_PROTOCOL.has(err.code)) {
        this.changeMode({
          protocol: "3.1.1",
          persistent: false,
          clientId: this.options.clientId,
          note: "the broker refused MQTT 5: MQTT 3.1.1 with a clean session, so QoS 1 messages sent while disconnected are lost",
        });
        return;
      }
      this.emit("error", err);
    });
    this.on_(client, "disconnect", (packet: { reasonCode?: number }) => {
      if (this.client === client && packet.reasonCode === SESSION_TAKEN_OVER) this.yieldSession("another client");
    });
    this.on_(client, "message", (topic: string, payload: Buffer, packet: IPublishPacket) => this.incoming.offer(topic, payload, packet));
  }

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const drop = this.copies.check(topic, payload, packet);
    if (drop) this.emit("dropped", drop, topic);
    else this.emit("message", topic, payload, packet.retain === true);
  }

  /**
   * Leaves the persistent session to `newer` (another instance using the same client id): goes
   * on with a clean session under this connection's own unique id. Does nothing when not persistent.
   */
  yieldSession(newer: string): void {
    if (!this.currentMode.persistent) return;
    this.changeMode({
      protocol: this.currentMode.protocol,
      persistent: false,
      clientId: this.options.clientId,
      note: `taken over by ${newer}, which uses client id ${this.currentMode.clientId}: since ${new Date().toISOString()} this one goes on with a clean session as ${this.options.clientId} (QoS 1 messages sent while it is disconnected are lost)`,
    });
  }

  /** Replaces the mqtt.js client with one in `mode` (its reconnects would use the old options). */
  private changeMode(mode: ConnectionMode): void {
    const old = this.client;
    this.currentMode = mode;
    if (old) {
      this.detach(old);
      old.end(true);
    }
    this.connectClient();
    this.emit("mode", this.mode);
  }

  private detach(client: MqttClient): void {
    for (const [event, listener] of this.clientListeners) {
      (client as unknown as EventEmitter).removeListener(event, listener);
    }
    this.clientListeners.length = 0;
    // A closed client can still report a late socket error; with no listener
    // EventEmitter would throw it and take the host process down.
    client.on("error", () => undefined);
  }

  private on_<A extends unknown[]>(client: MqttClient, event: string, handler: (...args: A) => void): void {
    const listener = handler as unknown as (...args: unknown[]) => void;
    (client as unknown as EventEmitter).on(event, listener);
    this.clientListeners.push([event, listener]);
  }

  private requireClient(what: string): MqttClient {
    if (!this.client || !this.client.connected) {
      throw new ConnectionError(`${what} failed: not connected to the broker`);
    }
    return this.client;
  }

  async publish(topic: string, payload: string | Buffer, qos: 0 | 1 | 2, retain: boolean): Promise<void> {
    const client = this.requireClient(`publish to ${topic}`);
    await withDeadline(client.publishAsync(topic, payload, { qos, retain }), ACK_DEADLINE_MS, `publish to ${topic}`);
  }

  /**
   * Subscribes `filters` in one SUBSCRIBE; rejects with a refused ConnectionError when the broker
   * refuses any of them (a SUBACK code of 0x80 or above: MQTT 3.1.1's failure, MQTT 5's reason codes).
   */
  async subscribe(filters: string[], qos: 0 | 1 | 2): Promise<void> {
    const refused = await this.subscribeEach(filters, qos);
    if (refused.size > 0) {
      throw new ConnectionError([...refused].map(([filter, reason]) => `${reason} for ${filter}`).join(", "), true);
    }
  }

  /**
   * Subscribes `filters` in one SUBSCRIBE; resolves with the filters the broker refused
   * (each with its SUBACK code), rejects when it does not answer.
   */
  async subscribeEach(filters: readonly string[], qos: 0 | 1 | 2): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    if (filters.length === 0) return refused;
    const client = this.requireClient(`subscribe to ${filters.length === 1 ? filters[0] : `${filters.length} filters`}`);
    const options: { qos: 0 | 1 | 2; properties?: { subscriptionIdentifier: number } } = { qos };
    if (this.currentMode.protocol === "5") {
      const key = filters.join("\u0000");
      const id = this.subscriptionIds.get(key) ?? this.nextSubscriptionId++;
      this.subscriptionIds.set(key, id);
      options.properties = { subscriptionIdentifier: id };
    }
    let codes: readonly unknown[];
    try {
      const granted = await withDeadline(client.subscribeAsync([...filters], options), ACK_DEADLINE_MS, "subscribe");
      codes = granted.map((g) => g.qos);
    } catch (err) {
      // mqtt.js rejects a SUBACK failure itself, with the SUBACK on the error.
      const sent = (err as { packet?: { granted?: unknown } }).packet?.granted;
      if (!Array.isArray(sent)) throw err;
      codes = sent;
    }
    codes.forEach((code, i) => {
      if (typeof code === "number" && code >= 0x80 && filters[i] !== undefined) refused.set(filters[i]!, `SUBACK failure code 0x${code.toString(16)}`);
    });
    return refused;
  }

  async unsubscribe(filters: string[]): Promise<void> {
    if (filters.length === 0) return;
    const client = this.requireClient(`unsubscribe from ${filters.join(", ")}`);
    await withDeadline(client.unsubscribeAsync(filters), ACK_DEADLINE_MS, "unsubscribe");
  }

  /** Ends the connection with a DISCONNECT (so the Will is not sent), within a deadline. */
  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.incoming.flush();
    this.client = undefined;
    if (this.currentMode.persistent) copyFiltersLeft.set(this.currentMode.clientId, this.copies);
    try {
      await withDeadline(client.endAsync(false), CLOSE_DEADLINE_MS, "close");
    } catch {
      await client.endAsync(true);
    } finally {
      this.detach(client);
      this.incoming.flush();
    }
  }
}

/**
 * The CopyFilter a closed persistent connection leaves for the next one under its client id
 * in this process. That one (the session after a redeploy) resumes the broker session, and
 * with it the QoS 1 messages the previous instance took but whose PUBACK was lost: it must
 * know them to drop their redelivery. Handed over at close, so live instances never share one.
 */
const copyFiltersLeft = new Map<string, CopyFilter>();

function ignoreLog(): void {}

function takeCopyFilter(clientId: string): CopyFilter | undefined {
  const filter = copyFiltersLeft.get(clientId);
  copyFiltersLeft.delete(clientId);
  return filter;
}

/**
 * Spots the copies a broker sends of one message: for overlapping subscriptions (the same
 * topic and payload right after, under another subscription identifier), and QoS 1
 * redeliveries (DUP set) of a message received shortly before.
 */
export class CopyFilter {
  // The last message, kept field by field, its ids as one number until a copy adds more: this runs for every message.
  private lastTopic: string | undefined;
  private lastPayload: Buffer | undefined;
  private lastIds: number | Set<number> | undefined;
  private readonly recent: Array<{ topic: string; payload: Buffer }> = [];
  private recentBytes = 0;

  check(topic: string, payload: Buffer, packet: IPublishPacket): CopyDrop | undefined {
    const ids = packet.properties?.subscriptionIdentifier;
    if (ids !== undefined && this.isOverlapCopy(topic, payload, ids)) return "overlap-copy";
    if (packet.dup && this.recent.some((m) => m.topic === topic && m.payload.equals(payload))) return "redelivered";
    this.lastTopic = topic;
    this.lastPayload = payload;
    this.lastIds = undefined;
    if (ids !== undefined) this.addIds(ids);
    if ((packet.qos ?? 0) > 0) this.remember(topic, payload);
    return undefined;
  }

  /** The last message again, under subscription ids none of which it came under. */
  private isOverlapCopy(topic: string, payload: Buffer, ids: number | number[]): boolean {
    if (this.lastTopic !== topic || this.lastPayload === undefined) return false;
    if (typeof ids === "number") {
      if (this.cameUnder(ids)) return false;
    } else {
      const numbers = ids.filter((id) => typeof id === "number");
      if (numbers.length === 0 || numbers.some((id) => this.cameUnder(id))) return false;
    }
    if (!this.lastPayload.equals(payload)) return false;
    this.addIds(ids);
    return true;
  }

  private cameUnder(id: number): boolean {
    const ids = this.lastIds;
    return typeof ids === "number" ? ids === id : ids !== undefined && ids.has(id);
  }

  private addIds(ids: number | number[]): void {
    const held = this.lastIds;
    if (held === undefined && typeof ids === "number") {
      this.lastIds = ids;
      return;
    }
    const set = typeof held === "number" ? new Set([held]) : (held ?? new Set<number>());
    if (typeof ids === "number") set.add(ids);
    else for (const id of ids) if (typeof id === "number") set.add(id);
    this.lastIds = set;
  }

  private remember(topic: string, payload: Buffer): void {
    this.recent.push({ topic, payload });
    this.recentBytes += payload.length;
    while (this.recent.length > RECENT_MESSAGES || (this.recentBytes > RECENT_BYTES && this.recent.length > 1)) {
      this.recentBytes -= this.recent.shift()!.payload.length;
    }
  }
}
