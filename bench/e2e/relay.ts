/**
 * The least a stdio channel server can do, the baseline of the bridge's latency: an
 * mqtt.js subscriber in a child process that writes every message it receives to
 * stdout as the JSON-RPC line of a `notifications/claude/channel`, and nothing else.
 * Its parent reads the lines with the SDK's stdio client transport, as it reads the bridge's.
 * argv: broker url, topic filter, QoS.
 */
import mqtt from "mqtt";
import { RELAY_READY } from "./relay-ready.js";

const [url, filter, qos] = process.argv.slice(2);
const client = mqtt.connect(url!, { reconnectPeriod: 0, clientId: `bench-relay-${process.pid}` });
client.on("error", (err) => {
  process.stderr.write(`relay: ${err.message}\n`);
  process.exit(1);
});
client.on("connect", () => {
  client.subscribe(filter!, { qos: Number(qos) as 0 | 1 }, (err) => {
    if (err) {
      process.stderr.write(`relay: subscribe failed: ${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", method: RELAY_READY })}\n`);
  });
});
client.on("message", (topic, payload) => {
  const parsed = JSON.parse(payload.toString()) as { content?: unknown; sender?: unknown };
  const content = typeof parsed.content === "string" ? parsed.content : "";
  const meta = { source: "mqtt", topic, sender: typeof parsed.sender === "string" ? parsed.sender : "unknown", ts: new Date().toISOString() };
  process.stdout.write(`${JSON.stringify({ method: "notifications/claude/channel", params: { content, meta }, jsonrpc: "2.0" })}\n`);
});
// Exits when its parent closes stdin (reading it is what makes "end" fire).
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
