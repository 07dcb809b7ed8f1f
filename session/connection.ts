/**
 * The session's one MQTT client. It records every listener it puts on the mqtt.js
 * client and removes exactly those, bounds every wait (acks, close), and turns
 * broker refusals into errors instead of letting them pass silently.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { EventEmitter } from "node:events";
import type { TlsOptions } from "./types.js";

export class ConnectionError extends Error {
  /** True when the broker said no (a SUBACK failure code), as opposed to not answering. */
  constructor(message: string, readonly refused = false) {
    super(message);
  }
}

export interface ConnectionOptions {
  brokerUrl: string;
  clientId: string;
  username?: string;
  password?: string;
  tls?: TlsOptions;
  /** The Last Will (the session's offline status); a link client has none. */
  will?: { topic: string; payload: () => string };
  keepaliveSeconds?: number;
}

export interface ConnectionEvents {
  connect: [];
  close: [];
  reconnect: [];
  offline: [];
  error: [error: Error];
  message: [topic: string, payload: Buffer, retained: boolean];
}

const ACK_DEADLINE_MS = 10_000;
const CLOSE_DEADLINE_MS = 2_000;

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

  constructor(private readonly options: ConnectionOptions) {
    super();
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  open(): void {
    if (this.client) return;
    const { tls } = this.options;
    // mqtt.js hands these options on to tls.connect, which also takes the key's passphrase.
    const clientOptions: IClientOptions & { passphrase?: string } = {
      clientId: this.options.clientId,
      clean: true,
      resubscribe: false,
      reconnectPeriod: 1000,
      connectTimeout: 30_000,
      keepalive: this.options.keepaliveSeconds ?? 60,
      queueQoSZero: false,
    };
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

    const client = mqtt.connect(this.options.brokerUrl, clientOptions);
    if (this.options.password && !this.options.username) {
      // MQTT 3.1.1 §3.1.2.9 allows a password only with a username; a broker closes such a connection without a word.
      queueMicrotask(() =>
        this.emit("error", new ConnectionError("a password is set without a username; it is not sent (MQTT 3.1.1 needs both)")),
      );
    }
    this.client = client;
    this.on_(client, "connect", () => this.emit("connect"));
    this.on_(client, "reconnect", () => {
      // The Will goes out with each CONNECT: refresh its timestamp so it is never stale.
      if (client.options.will && will) client.options.will.payload = Buffer.from(will.payload());
      this.emit("reconnect");
    });
    this.on_(client, "close", () => this.emit("close"));
    this.on_(client, "offline", () => this.emit("offline"));
    this.on_(client, "error", (err: Error) => {
      // Once close() began, the broker may still send (a queued message, a late ack) and
      // the reply mqtt.js tries to write fails with "write after end": not news.
      if (this.client === client) this.emit("error", err);
    });
    this.on_(client, "message", (topic: string, payload: Buffer, packet: { retain?: boolean }) =>
      this.emit("message", topic, payload, packet.retain === true),
    );
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

  /** Subscribes; rejects when the broker refuses the filter (a SUBACK code of 0x80 or above: MQTT 3.1.1's failure, MQTT 5's reason codes). */
  async subscribe(filters: string[], qos: 0 | 1 | 2): Promise<void> {
    if (filters.length === 0) return;
    const client = this.requireClient(`subscribe to ${filters.join(", ")}`);
    let granted: Array<{ topic: string; qos: number }>;
    try {
      granted = await withDeadline(client.subscribeAsync(filters, { qos }), ACK_DEADLINE_MS, "subscribe");
    } catch (err) {
      // mqtt.js rejects a SUBACK failure itself, with the SUBACK on the error.
      const codes = (err as { packet?: { granted?: unknown } }).packet?.granted;
      const failure = Array.isArray(codes) ? codes.find((code): code is number => typeof code === "number" && code >= 0x80) : undefined;
      if (failure !== undefined) throw new ConnectionError(`SUBACK failure code 0x${failure.toString(16)} (${(err as Error).message})`, true);
      throw err;
    }
    const refused = granted.filter((g) => g.qos >= 0x80);
    if (refused.length > 0) {
      const codes = refused.map((g) => `${g.topic} (code 0x${g.qos.toString(16)})`).join(", ");
      throw new ConnectionError(`SUBACK failure for ${codes}`, true);
    }
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
    this.client = undefined;
    try {
      await withDeadline(client.endAsync(false), CLOSE_DEADLINE_MS, "close");
    } catch {
      await client.endAsync(true);
    } finally {
      for (const [event, listener] of this.clientListeners) {
        (client as unknown as EventEmitter).removeListener(event, listener);
      }
      this.clientListeners.length = 0;
      // A closed client can still report a late socket error; with no listener
      // EventEmitter would throw it and take the host process down.
      client.on("error", () => undefined);
    }
  }
}
