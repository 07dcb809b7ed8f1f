/**
 * A publish-only MQTT connection beside a client's own, for the flow link's frames.
 *
 * Why: the broker answers each QoS 1 publish with a PUBACK that nothing answers in
 * turn. A broker that leaves Nagle's algorithm on (Mosquitto's default,
 * `set_tcp_nodelay false`) then holds the next packet it has for that connection
 * until the client's delayed TCP ACK, up to 40 ms later. On a connection that also
 * receives the messages a session or bridge waits for, that is a 20–40 ms stall
 * after every frame sent. On a connection that only publishes, nothing waits behind
 * a PUBACK, and the next publish carries the ACK.
 *
 * Until the lane connects, or when the broker refuses it, frames go out on the
 * client's own connection: slower, never lost.
 */
import { randomUUID } from "node:crypto";
import { Connection, type ConnectionOptions } from "./connection.js";

export class PublishLane {
  private readonly lane: Connection;
  private opened = false;
  private lastError: string | undefined;

  constructor(
    options: ConnectionOptions,
    private readonly own: Connection,
    private readonly warn: (message: string) => void,
  ) {
    // Publish-only: no Will, and a clean session of its own (the persistent one is the main connection's).
    const { will: _will, persistent: _persistent, ...rest } = options;
    this.lane = new Connection({ ...rest, clientId: `${options.clientId}-lane-${randomUUID().slice(0, 6)}` });
    this.lane.on("error", (err) => {
      if (err.message === this.lastError) return;
      this.lastError = err.message;
      this.warn(`publish lane: ${err.message} (frames go out on the main connection meanwhile)`);
    });
    this.lane.on("connect", () => {
      this.lastError = undefined;
    });
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.lane.open();
  }

  async publish(topic: string, payload: string, qos: 0 | 1 | 2, retain: boolean): Promise<void> {
    const connection = this.lane.connected ? this.lane : this.own;
    await connection.publish(topic, payload, qos, retain);
  }

  async close(): Promise<void> {
    await this.lane.close();
    this.lane.removeAllListeners();
  }
}
