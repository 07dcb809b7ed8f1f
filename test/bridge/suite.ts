/**
 * One broker per test file, a bridge per test (closed after it), and a peer MQTT client.
 */
import { after, afterEach, before } from "node:test";
import { randomUUID } from "node:crypto";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { BridgeClient, Peer, startBridge, type BridgeOptions } from "./harness.js";

export interface BridgeSuite {
  readonly broker: TestBroker;
  readonly peer: Peer;
  bridge(options?: BridgeOptions): Promise<BridgeClient>;
  /**
   * Publishes a marker to the bridge's inbox and waits for it: the peer's earlier QoS 1
   * messages reach the bridge first, so afterwards anything they would have caused has happened.
   */
  settled(b: BridgeClient): Promise<void>;
}

/** Registers the file's before/afterEach/after hooks; the suite's fields are set once `before` has run. */
export function bridgeSuite(): BridgeSuite {
  let broker: TestBroker | undefined;
  let peer: Peer | undefined;
  const bridges: BridgeClient[] = [];
  before(async () => {
    broker = await startBroker();
    peer = await Peer.connect(broker.url);
  });
  afterEach(async () => {
    await Promise.all(bridges.splice(0).map((b) => b.close()));
  });
  after(async () => {
    await peer?.end();
    await broker?.stop();
  });
  const suite: BridgeSuite = {
    get broker() {
      if (!broker) throw new Error("the broker is not started yet");
      return broker;
    },
    get peer() {
      if (!peer) throw new Error("the peer is not connected yet");
      return peer;
    },
    async bridge(options = {}) {
      const b = await startBridge({ brokerUrl: suite.broker.url, ...options });
      bridges.push(b);
      return b;
    },
    async settled(b) {
      const marker = `marker-${randomUUID()}`;
      await suite.peer.publish(b.inbox, marker);
      await b.nextNotification((n) => n.content === marker);
    },
  };
  return suite;
}

export const envelope = (fields: Record<string, string>): string => JSON.stringify({ ts: new Date().toISOString(), ...fields });
