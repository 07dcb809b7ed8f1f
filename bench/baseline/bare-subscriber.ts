/**
 * The watched flood's baseline: the least a Node process can do with the flood, an
 * mqtt.js subscriber that keeps each message (topic, payload text, time) in a Map by
 * topic. Run as a child process, like the bridge, and speaking MQTT 5 as the bridge does
 * (its PUBLISH packets carry a properties section to parse); on "stop" it reports how many
 * messages it got and the CPU time it used since "go".
 *
 * argv: broker url, topic filter.
 */
import mqtt from "mqtt";

const [url, filter] = process.argv.slice(2);
const kept = new Map<string, { payload: string; receivedAt: number }>();
let received = 0;
let cpuAtGo = process.cpuUsage();

const client = mqtt.connect(url!, { protocolVersion: 5, reconnectPeriod: 0, clientId: `bench-bare-${process.pid}` });
client.on("error", (err) => {
  process.stderr.write(`bare subscriber: ${err.message}\n`);
  process.exit(1);
});
client.on("connect", () => {
  client.subscribe(filter!, { qos: 0 }, (err) => {
    if (err) {
      process.stderr.write(`bare subscriber: subscribe failed: ${err.message}\n`);
      process.exit(1);
    }
    process.send?.({ ready: true });
  });
});
client.on("message", (topic, payload) => {
  received++;
  kept.set(topic, { payload: payload.toString(), receivedAt: Date.now() });
});
process.on("message", (message) => {
  if (message === "go") {
    cpuAtGo = process.cpuUsage();
    received = 0;
  } else if (message === "stop") {
    const cpu = process.cpuUsage(cpuAtGo);
    process.send?.({ received, cpuMicros: cpu.user + cpu.system, topics: kept.size }, () => process.exit(0));
  }
});
