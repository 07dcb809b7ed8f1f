/**
 * Mosquitto (persistence on) is killed with SIGKILL mid-stream and restarted a second later,
 * while a publisher sends QoS 1 messages to a session's admitted and watched topics at a
 * steady rate. Target: nothing lost within the buffer bounds. Duplicates are reported, not a
 * target: a publisher that sends a QoS 1 message again after the restart (its PUBACK lost)
 * gives the broker a new message, which no subscriber can tell from the first (at least once).
 */
import mqtt from "mqtt";
import { Session } from "../session/session.js";
import { startBroker } from "../test/helpers/broker.js";
import { sessionOptions } from "../test/helpers/session.js";
import { sleep, until, type Fault, type FaultResult, type FaultSize } from "./fault.js";

const RATE_PER_SECOND = 200;
const DOWN_MS = 1000;

export const brokerRestart: Fault = {
  id: "broker-restart",
  title: "broker kill -9 and restart mid-stream",
  async run(size: FaultSize): Promise<FaultResult> {
    const perTier = size === "quick" ? 200 : 2000;
    const broker = await startBroker({ persistence: true });
    const result: FaultResult = { id: this.id, title: this.title, figures: { perTier, ratePerSecond: RATE_PER_SECOND, downMs: DOWN_MS }, targets: [] };
    if (broker.kind === "aedes") {
      await broker.stop();
      return { ...result, skipped: "needs Mosquitto (the embedded aedes broker keeps nothing across a restart)" };
    }
    const options = sessionOptions(broker.url, { pacing: { intervalSeconds: 0, perMinute: 0 } });
    const { prefix } = options;
    const session = new Session({ ...options, pinned: { admitted: [`${prefix}/a/#`], watched: [`${prefix}/w/#`], muted: [] } });
    const admitted: number[] = [];
    const watched: number[] = [];
    session.on("admitted", (message) => admitted.push(Number(message.content)));
    session.on("watched", (topic) => watched.push(Number(topic.slice(topic.lastIndexOf("/") + 1))));
    const connected = new Promise<void>((resolve) => session.on("state", (state) => state === "connected" && resolve()));
    session.start();
    await connected;

    // The publisher is persistent too, so what it sent while the broker was down goes out when it is back.
    const publisher = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clean: false,
      clientId: `fault-publisher-${prefix}`,
      properties: { sessionExpiryInterval: 600 },
      reconnectPeriod: 200,
    });
    publisher.on("error", () => undefined);
    let acknowledged = 0;
    const start = Date.now();
    for (let i = 0; i < perTier; i++) {
      if (i === Math.floor(perTier * 0.4)) {
        await broker.kill();
        void sleep(DOWN_MS).then(() => broker.start());
      }
      for (const tier of ["a", "w"]) publisher.publish(`${prefix}/${tier}/${i}`, String(i), { qos: 1 }, (err) => !err && acknowledged++);
      const due = start + ((i + 1) * 1000) / RATE_PER_SECOND;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    await until(() => acknowledged === perTier * 2, 30_000);
    await until(() => new Set(admitted).size === perTier && new Set(watched).size === perTier, 20_000);

    const lost = (seen: number[]): number => perTier - new Set(seen).size;
    const duplicates = (seen: number[]): number => seen.length - new Set(seen).size;
    result.figures = {
      ...result.figures,
      publisherAcknowledged: acknowledged,
      admittedLost: lost(admitted),
      admittedDuplicates: duplicates(admitted),
      watchedLost: lost(watched),
      watchedDuplicates: duplicates(watched),
      redeliveredDropped: session.status().counts.dropped.redelivered,
    };
    result.targets = [
      { what: "0 admitted messages lost", met: lost(admitted) === 0 },
      { what: "0 watched messages lost", met: lost(watched) === 0 },
    ];
    await publisher.endAsync(true);
    await session.stop();
    await broker.stop();
    return result;
  },
};
