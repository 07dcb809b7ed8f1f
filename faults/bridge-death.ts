/**
 * The bridge killed (SIGKILL) or frozen (SIGSTOP, then SIGCONT): the broker's Last Will must
 * mark the session offline within 1.5 keepalives (MQTT_KEEPALIVE), claim no last-seen time
 * (it was fixed at CONNECT) while a reader that saw the heartbeats keeps the last one's, and
 * a frozen bridge that wakes up must say it is online again by itself.
 */
import { startBridge, Peer, type BridgeClient } from "../test/bridge/harness.js";
import { startBroker } from "../test/helpers/broker.js";
import { uniquePrefix } from "../test/helpers/session.js";
import { until, type Fault, type FaultResult, type FaultSize } from "./fault.js";

const KEEPALIVE_SECONDS = 2;
/**
 * How late Mosquitto 2.0 may be beyond 1.5 keepalives in giving up on a silent client (it
 * sweeps its keepalive list in whole seconds): measured 1–5 s here.
 */
const BROKER_CHECK_MS = 5000;
/** How long the observer may take to pass on the Will it got from the broker. */
const OBSERVER_WAIT_MS = 3000;

interface Arrival {
  status?: string;
  lastSeen?: string;
  ts?: string;
  connectedAt?: string;
  at: number;
}

interface Watched {
  bridge: BridgeClient;
  /** A second session on the same broker and prefix, whose `sessions` tool shows the first. */
  observer: BridgeClient;
  /** The statuses the session published, each with when it arrived. */
  arrivals: readonly Arrival[];
  latest(): Arrival | undefined;
  stop(): Promise<void>;
}

async function watchedBridge(): Promise<Watched> {
  const broker = await startBroker();
  const prefix = uniquePrefix();
  // Heartbeats every second, so the last one before a freeze is well after the CONNECT.
  const env = { MQTT_KEEPALIVE: String(KEEPALIVE_SECONDS), HEARTBEAT_INTERVAL: "1" };
  const bridge = await startBridge({ brokerUrl: broker.url, prefix, env });
  const observer = await startBridge({ brokerUrl: broker.url, prefix, name: "observer" });
  const peer = await Peer.connect(broker.url);
  const arrivals: Arrival[] = [];
  peer.client.on("message", (topic, payload) => {
    if (topic !== bridge.statusTopic) return;
    try {
      arrivals.push({ ...(JSON.parse(payload.toString()) as Omit<Arrival, "at">), at: Date.now() });
    } catch {
      arrivals.push({ at: Date.now() });
    }
  });
  await peer.subscribe(bridge.statusTopic);
  return {
    bridge,
    observer,
    arrivals,
    latest: () => arrivals.at(-1),
    stop: async () => {
      await bridge.close().catch(() => undefined);
      await observer.close().catch(() => undefined);
      await peer.end();
      await broker.stop();
    },
  };
}

/**
 * The Will is fixed at CONNECT: it must not claim a last-seen time, and a reader that saw the
 * heartbeats (the observer's `sessions`) keeps the last heartbeat's.
 */
async function willHonesty(watched: Watched): Promise<{ figures: FaultResult["figures"]; targets: FaultResult["targets"] }> {
  const will = watched.arrivals.findLast((a) => a.status === "offline");
  const heartbeat = watched.arrivals.findLast((a) => a.status === "online" && a.at < (will?.at ?? Infinity));
  // The observer gets the Will from the broker as our peer does, but not necessarily before it: wait for it to say offline.
  let shown: string | undefined;
  await until(async () => {
    shown = /"alpha": offline, last seen ([^\s,]+)/.exec(await watched.observer.ok("sessions"))?.[1];
    return shown !== undefined;
  }, OBSERVER_WAIT_MS);
  return {
    figures: {
      willConnectedAt: will?.connectedAt ?? "none",
      lastHeartbeatLastSeen: heartbeat?.lastSeen ?? "none",
      observerShowsLastSeen: shown ?? "nothing",
    },
    targets: [
      { what: "the Last Will names no last-seen time (only connectedAt)", met: will !== undefined && will.lastSeen === undefined && will.ts === undefined && will.connectedAt !== undefined },
      { what: "a reader that saw the heartbeats shows the last heartbeat's lastSeen", met: shown !== undefined && heartbeat?.lastSeen !== undefined && Date.parse(shown) === Date.parse(heartbeat.lastSeen) },
    ],
  };
}

async function offlineAfter(signal: NodeJS.Signals, watched: Watched): Promise<number | undefined> {
  await until(() => watched.arrivals.filter((a) => a.status === "online").length >= 3, 10_000);
  const sent = Date.now();
  process.kill(watched.bridge.pid, signal);
  const offline = await until(() => watched.latest()?.status === "offline", KEEPALIVE_SECONDS * 5000);
  return offline ? watched.latest()!.at - sent : undefined;
}

/** A killed bridge's socket closes at once; a frozen one's stays open until the broker gives up on it. */
function willTarget(ms: number | undefined): FaultResult["targets"][number] {
  return {
    what: `offline via the Last Will within ${KEEPALIVE_SECONDS} s × 1.5 (+ ${BROKER_CHECK_MS / 1000} s of the broker's keepalive check)`,
    met: ms !== undefined && ms <= KEEPALIVE_SECONDS * 1500 + BROKER_CHECK_MS,
    timing: true,
  };
}

export const bridgeKilled: Fault = {
  id: "bridge-kill",
  title: "bridge kill -9",
  async run(_size: FaultSize): Promise<FaultResult> {
    const watched = await watchedBridge();
    try {
      const ms = await offlineAfter("SIGKILL", watched);
      return {
        id: this.id,
        title: this.title,
        figures: { keepaliveSeconds: KEEPALIVE_SECONDS, offlineAfterMs: ms ?? "never" },
        targets: [{ what: "the Last Will marks the session offline", met: ms !== undefined }, willTarget(ms)],
      };
    } finally {
      await watched.stop();
    }
  },
};

export const bridgeFrozen: Fault = {
  id: "bridge-frozen",
  title: "bridge frozen (SIGSTOP), then woken (SIGCONT)",
  async run(_size: FaultSize): Promise<FaultResult> {
    const watched = await watchedBridge();
    try {
      const ms = await offlineAfter("SIGSTOP", watched);
      const will = await willHonesty(watched);
      const woken = Date.now();
      process.kill(watched.bridge.pid, "SIGCONT");
      const online = await until(() => watched.latest()?.status === "online", 15_000);
      const answers = online && !(await watched.bridge.call("status")).isError;
      return {
        id: this.id,
        title: this.title,
        figures: { keepaliveSeconds: KEEPALIVE_SECONDS, offlineAfterMs: ms ?? "never", onlineAgainAfterMs: online ? watched.latest()!.at - woken : "never", ...will.figures },
        targets: [
          { what: "the Last Will marks the frozen session offline", met: ms !== undefined },
          willTarget(ms),
          ...will.targets,
          { what: "woken, the bridge reports itself online again and answers its tools", met: answers },
        ],
      };
    } finally {
      await watched.stop();
    }
  },
};
