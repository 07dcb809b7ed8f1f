/**
 * The flood's publisher, run as a child process so that it does not share a core's
 * time slices with the bench's own bookkeeping: QoS 0 publishes from one mqtt.js
 * client, pipelined in a batch every 5 ms to hold the asked rate, spread evenly over
 * the topics. Home-Assistant-like JSON state payloads, about 150 bytes each.
 *
 * argv: url, topic prefix, messages per second, seconds, topic count.
 * Tells its parent `{ready}` once connected, starts on the message "go" (so its own
 * start-up stays out of the measured window) and reports `{published, seconds}`.
 */
import mqtt from "mqtt";

const [url, prefix, rateArg, secondsArg, topicsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const topicCount = Number(topicsArg);
const TICK_MS = 5;

const topics = Array.from({ length: topicCount }, (_, i) => `${prefix}/sensor/room_${i % 97}_probe_${i}/state`);

function payload(i: number, seq: number): string {
  return JSON.stringify({
    state: (18 + ((seq * 7 + i) % 80) / 10).toFixed(1),
    attributes: { unit_of_measurement: "°C", device_class: "temperature", friendly_name: `Room ${i % 97} probe ${i}` },
    last_changed: new Date().toISOString(),
  });
}

const client = mqtt.connect(url!, { reconnectPeriod: 0, clientId: `bench-flood-${process.pid}` });
client.on("error", (err) => {
  process.stderr.write(`flood publisher: ${err.message}\n`);
  process.exit(1);
});
client.once("connect", () => {
  process.send?.({ ready: true });
});
process.on("message", (message) => {
  if (message !== "go") return;
  const started = performance.now();
  const total = rate * seconds;
  let published = 0;
  const tick = (): void => {
    const elapsed = performance.now() - started;
    const due = Math.min(total, Math.floor((elapsed / 1000) * rate));
    for (; published < due; published++) {
      client.publish(topics[published % topicCount]!, payload(published % topicCount, published), { qos: 0 });
    }
    if (published < total) {
      setTimeout(tick, TICK_MS);
      return;
    }
    const took = (performance.now() - started) / 1000;
    client.end(false, {}, () => {
      process.send?.({ published, seconds: took });
      process.exit(0);
    });
  };
  tick();
});
