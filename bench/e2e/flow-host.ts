/**
 * A flow-hosted session for the benches, in a process of its own as Node-RED would
 * be: a `Session` (host "flow") with a pinned admitted pattern, served to bridges by
 * a `LinkHost`. Started with fork(); tells its parent `{ready}` once connected and
 * `{attached}` once a bridge has said hello; stops on the message "stop".
 *
 * argv: broker url, topic prefix, session name, link key, admitted pattern.
 */
import { linkedSession } from "../../session/link/hosted.js";

const [brokerUrl, prefix, name, key, admitted] = process.argv.slice(2);

async function main(): Promise<void> {
  const { session, link: host, attached: linked } = linkedSession({
    name: name!,
    prefix: prefix!,
    brokerUrl: brokerUrl!,
    qos: 1,
    heartbeatSeconds: 60,
    requestTimeoutSeconds: 30,
    maxPayloadBytes: 262_144,
    maxPendingRequests: 50,
    bufferMaxBytes: 16 * 1024 * 1024,
    host: "flow",
    version: "bench",
    pinned: { admitted: [admitted!] },
    // Latency of each message is measured: none may be coalesced.
    pacing: { intervalSeconds: 0, perMinute: 0 },
  }, { key: key! });
  session.on("log", (level, message) => {
    if (level !== "info") process.stderr.write(`flow host: ${message}\n`);
  });
  await linked;
  await new Promise<void>((resolve) => {
    session.on("state", (state) => {
      if (state === "connected") resolve();
    });
    session.start();
  });
  process.send?.({ ready: true });
  const attached = setInterval(() => {
    if (host.stats().bridges.length > 0) {
      clearInterval(attached);
      process.send?.({ attached: true });
    }
  }, 20);
  process.on("message", (message) => {
    if (message !== "stop") return;
    clearInterval(attached);
    void host!
      .stop()
      .then(() => session.stop())
      .finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`flow host: ${(err as Error).message}\n`);
  process.exit(1);
});
