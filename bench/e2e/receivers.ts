/**
 * The receivers a latency run times, each started against a broker and a topic
 * filter, each reporting `seen(name, seq)` when a message reaches the place it
 * stands for.
 */
import { fork } from "node:child_process";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { TestBroker } from "../../test/helpers/broker.js";
import { startBridge, type RunningBridge } from "../lib/bridge.js";
import { connectClient, endClient, subscribe, waitFor } from "../lib/mqtt.js";
import { paths } from "../lib/paths.js";
import { LatencyRun } from "./probe-run.js";
import { RELAY_READY } from "./relay-ready.js";

export type Seen = (receiver: string, seq: number) => void;

export interface Receiver {
  name: string;
  stop(): Promise<void>;
}

export const QOS = 1;
export const LINK_KEY = `bench-link-key-${randomUUID()}`;
const NO_PACING = { MQTT_COALESCE_INTERVAL: "0", MQTT_NOTIFY_MAX_PER_MINUTE: "0" };

/** Subscribed and connected, as the bridge's own status tool says. */
export async function waitSubscribed(bridge: RunningBridge, filter: string): Promise<void> {
  await waitFor(`the bridge to subscribe to ${filter}`, async () => {
    const status = JSON.parse((await bridge.tool("status")).text) as { connection?: { state?: string }; activeSubscriptions?: string[] };
    return status.connection?.state === "connected" && (status.activeSubscriptions ?? []).includes(filter);
  });
}

function seqFromEnvelope(payload: Buffer): number | undefined {
  const parsed = JSON.parse(payload.toString()) as { content?: unknown };
  return typeof parsed.content === "string" ? LatencyRun.seqOf(parsed.content) : undefined;
}

/** An mqtt.js subscriber in this process: one broker hop. */
export async function rawSubscriber(broker: TestBroker, filter: string, seen: Seen): Promise<Receiver> {
  const client = await connectClient(broker.url, { clientId: `bench-raw-${randomUUID().slice(0, 8)}` });
  client.on("message", (_topic, payload) => {
    const seq = seqFromEnvelope(payload);
    if (seq !== undefined) seen("raw", seq);
  });
  await subscribe(client, filter, QOS);
  return { name: "raw", stop: () => endClient(client) };
}

/** The built bridge hosting the session itself, the filter admitted: a notification per message. */
export async function bridgeHosted(broker: TestBroker, prefix: string, filter: string, seen: Seen): Promise<Receiver & { bridge: RunningBridge }> {
  const bridge = await startBridge({
    brokerUrl: broker.url,
    name: "bench",
    prefix,
    // Latency of each message is measured: none may be coalesced.
    env: { QOS: String(QOS), SESSION_HOST: "bridge", ...NO_PACING },
    sessionFile: { admitted: [filter], watched: [], muted: [] },
    onChannel: (notice) => {
      const seq = LatencyRun.seqOf(notice.content);
      if (seq !== undefined) seen("bridge", seq);
    },
  });
  try {
    await waitSubscribed(bridge, filter);
  } catch (err) {
    await bridge.stop();
    throw new Error(`${(err as Error).message}\nbridge stderr:\n${bridge.stderrTail()}`);
  }
  return { name: "bridge", bridge, stop: () => bridge.stop() };
}

/**
 * A child process writing each message as a channel notification line to stdout: one broker
 * hop plus one pipe hop, as a stdio server has. Its lines are read by the SDK's stdio client
 * transport, as the bridge's are, so both paths pay the same parsing and validation.
 */
export async function relay(broker: TestBroker, filter: string, seen: Seen): Promise<Receiver> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(paths.dist, "bench", "e2e", "relay.js"), broker.url, filter, String(QOS)],
    stderr: "inherit",
  });
  await new Promise<void>((resolve, reject) => {
    transport.onclose = () => reject(new Error("relay exited before it was ready"));
    transport.onerror = (err) => reject(err);
    transport.onmessage = (message) => {
      if (!("method" in message)) return;
      if (message.method === RELAY_READY) return resolve();
      const content = message.params?.content;
      const seq = typeof content === "string" ? LatencyRun.seqOf(content) : undefined;
      if (seq !== undefined) seen("relay", seq);
    };
    transport.start().catch(reject);
  });
  transport.onclose = undefined;
  return { name: "relay", stop: () => transport.close() };
}

/** A flow-hosted session in a child process, and the bridge in flow mode attached to it. */
export async function flowHosted(broker: TestBroker, prefix: string, filter: string, seen: Seen): Promise<Receiver & { bridge: RunningBridge }> {
  const host = fork(join(paths.dist, "bench", "e2e", "flow-host.js"), [broker.url, prefix, "bench", LINK_KEY, filter], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const state = { ready: false, attached: false };
  host.on("message", (m) => {
    if (typeof m === "object" && m !== null) Object.assign(state, m);
  });
  const stopHost = async (): Promise<void> => {
    if (host.exitCode !== null) return;
    const exited = new Promise((resolve) => host.once("exit", resolve));
    host.send("stop");
    const timer = setTimeout(() => host.kill(), 5000);
    await exited;
    clearTimeout(timer);
  };
  let bridge: RunningBridge | undefined;
  try {
    await waitFor("the flow host to connect", () => state.ready);
    bridge = await startBridge({
      brokerUrl: broker.url,
      name: "bench",
      prefix,
      env: { QOS: String(QOS), SESSION_HOST: "flow", SESSION_LINK_KEY: LINK_KEY, ...NO_PACING },
      onChannel: (notice) => {
        const seq = LatencyRun.seqOf(notice.content);
        if (seq !== undefined) seen("flow", seq);
      },
    });
    await waitFor("the bridge to attach to the flow", () => state.attached);
  } catch (err) {
    const tail = bridge ? `\nbridge stderr:\n${bridge.stderrTail()}` : "";
    await bridge?.stop();
    await stopHost();
    throw new Error(`${(err as Error).message}${tail}`);
  }
  const running = bridge;
  return {
    name: "flow",
    bridge: running,
    stop: async () => {
      await running.stop();
      await stopHost();
    },
  };
}
