/**
 * `coalescing`: a burst of 1,000 updates in 10 s (quick: 5 s) on one admitted topic,
 * counted as the channel notifications an MCP client of the bridge receives, with the
 * bridge's default pacing; the baseline is the same burst with pacing off (one
 * notification per message), in the same run. The updates the notifications stand for
 * must add up to the burst: nothing is lost, the rest waits in the inbox.
 */
import { randomUUID } from "node:crypto";
import { startBroker, type TestBroker } from "../../test/helpers/broker.js";
import { startBridge, type ChannelNotice } from "../lib/bridge.js";
import { connectClient, endClient, sleep, waitFor } from "../lib/mqtt.js";
import { ratioOf, type BenchContext, type BenchResult, type Benchmark } from "../lib/result.js";
import { waitSubscribed } from "../e2e/receivers.js";

const UPDATES = 1000;
const MAX_NOTIFICATIONS = 20;

interface Burst {
  notifications: number;
  updates: number;
  seconds: number;
}

async function burst(broker: TestBroker, env: Record<string, string>, seconds: number): Promise<Burst> {
  const prefix = `bench${randomUUID().slice(0, 6)}`;
  const filter = `${prefix}/thermostat/#`;
  const topic = `${prefix}/thermostat/living_room`;
  const notices: ChannelNotice[] = [];
  const bridge = await startBridge({
    brokerUrl: broker.url,
    name: "bench",
    prefix,
    env: { SESSION_HOST: "bridge", ...env },
    sessionFile: { admitted: [filter], watched: [], muted: [] },
    onChannel: (notice) => {
      if (notice.meta.topic === topic) notices.push(notice);
    },
  });
  const publisher = await connectClient(broker.url, { clientId: `bench-burst-${randomUUID().slice(0, 8)}` });
  try {
    await waitSubscribed(bridge, filter);
    const started = Date.now();
    const everyMs = (seconds * 1000) / UPDATES;
    for (let i = 0; i < UPDATES; i++) {
      await publisher.publishAsync(topic, `${(20 + i / 100).toFixed(2)} °C`, { qos: 1 });
      const due = started + (i + 1) * everyMs;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    const took = (Date.now() - started) / 1000;
    const accounted = (): number => notices.reduce((sum, n) => sum + Number(n.meta.updates ?? "1"), 0);
    await waitFor("the burst's updates to be accounted for", () => accounted() >= UPDATES, 60_000);
    return { notifications: notices.length, updates: accounted(), seconds: took };
  } finally {
    await endClient(publisher);
    await bridge.stop();
  }
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const seconds = ctx.quick ? 5 : 10;
  const broker = await startBroker();
  try {
    ctx.log(`coalescing: ${UPDATES} updates in ${seconds} s on one admitted topic, default pacing, then pacing off`);
    const paced = await burst(broker, {}, seconds);
    const unpaced = await burst(broker, { MQTT_COALESCE_INTERVAL: "0", MQTT_NOTIFY_MAX_PER_MINUTE: "0" }, seconds);
    return [
      {
        name: "coalescing notifications per 1,000-update burst",
        value: paced.notifications,
        unit: "notifications",
        baseline: unpaced.notifications,
        ratio: Math.round(ratioOf(paced.notifications, unpaced.notifications) * 1000) / 1000,
        target: `≤ ${MAX_NOTIFICATIONS}, updates adding up to ${UPDATES}`,
        met: paced.notifications <= MAX_NOTIFICATIONS && paced.updates === UPDATES,
        detail: {
          updates: UPDATES,
          burstSeconds: { paced: paced.seconds, unpaced: unpaced.seconds },
          updatesAccounted: paced.updates,
          pacing: "defaults: one notification per topic per 5 s, 30 a minute",
          baseline: "the same burst with MQTT_COALESCE_INTERVAL=0 and MQTT_NOTIFY_MAX_PER_MINUTE=0",
        },
      },
    ];
  } finally {
    await broker.stop();
  }
}

export const coalescing: Benchmark = {
  id: "coalescing",
  summary: "1,000 updates on one admitted topic: notifications with default pacing vs pacing off",
  run,
};
