import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { Connection } from "../../session/connection.js";
import { PublishLane } from "../../session/lane.js";
import { LinkClient } from "../../session/link/client.js";
import { linkedSession } from "../../session/link/hosted.js";
import { nextEvent, sessionOptions, uniquePrefix } from "../helpers/session.js";

/** An in-process aedes broker that records who published what, and who is connected. */
interface ObservingBroker {
  url: string;
  published: Array<{ clientId: string; topic: string; qos: number }>;
  connected: Set<string>;
  close(): Promise<void>;
}

interface AedesClient {
  id: string;
}
interface AedesLike {
  handle(socket: Socket): void;
  close(cb: () => void): void;
  on(event: "publish", listener: (packet: { topic: string; qos: number }, client: AedesClient | null) => void): void;
  on(event: "clientReady" | "clientDisconnect", listener: (client: AedesClient) => void): void;
}

async function observingBroker(): Promise<ObservingBroker> {
  const { Aedes } = (await import("aedes")) as unknown as { Aedes: { createBroker(): Promise<AedesLike> } };
  const aedes = await Aedes.createBroker();
  const published: ObservingBroker["published"] = [];
  const connected = new Set<string>();
  aedes.on("publish", (packet, client) => {
    if (client) published.push({ clientId: client.id, topic: packet.topic, qos: packet.qos });
  });
  aedes.on("clientReady", (client) => connected.add(client.id));
  aedes.on("clientDisconnect", (client) => connected.delete(client.id));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    published,
    connected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => aedes.close(() => resolve()));
      }),
  };
}

async function eventually(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const KEY = "a-link-key-of-at-least-thirty-two-characters";
let broker: ObservingBroker;

before(async () => {
  broker = await observingBroker();
});
after(async () => {
  await broker.close();
});

describe("publish lane", () => {
  test("publishes on the main connection until the lane is up, then on the lane, and closes it", async () => {
    const main = new Connection({ brokerUrl: broker.url, clientId: "lane-test-main" });
    main.open();
    await eventually("the main connection", () => main.connected);
    const warnings: string[] = [];
    const lane = new PublishLane({ brokerUrl: broker.url, clientId: "lane-test-main" }, main, (m) => warnings.push(m));
    await lane.publish("lane/test/1", "before", 1, false);
    lane.open();
    const laneId = (): string | undefined => [...broker.connected].find((id) => id.startsWith("lane-test-main-lane-"));
    await eventually("the lane to connect", () => laneId() !== undefined);
    await eventually("the lane to be usable", () => {
      void lane.publish("lane/test/probe", "probe", 0, false);
      return broker.published.some((p) => p.topic === "lane/test/probe" && p.clientId === laneId());
    });
    await lane.publish("lane/test/2", "after", 1, false);
    const by = (topic: string): string | undefined => broker.published.find((p) => p.topic === topic)?.clientId;
    assert.equal(by("lane/test/1"), "lane-test-main");
    assert.equal(by("lane/test/2"), laneId());
    const id = laneId()!;
    await lane.close();
    await eventually("the lane to disconnect", () => !broker.connected.has(id));
    await main.close();
    assert.deepEqual(warnings, []);
  });

  test("a flow-hosted session and a bridge's link client send their frames on lanes, not on the connections that receive", async () => {
    const prefix = uniquePrefix();
    const { session, link: host, attached } = linkedSession(sessionOptions(broker.url, { name: "home", prefix, host: "flow", clientId: `${prefix}-flow` }), { key: KEY });
    await attached;
    const connected = nextEvent(session, "state", (s) => s === "connected");
    session.start();
    await connected;
    const client = new LinkClient({ brokerUrl: broker.url, prefix, name: "home", key: KEY, callTimeoutMs: 3000 });
    client.start();
    try {
      await eventually("both lanes to connect", () => [...broker.connected].filter((id) => id.includes("-lane-")).length === 2);
      await eventually("the bridge to attach", () => host.stats().bridges.length === 1 && client.status?.status === "online");
      const result = await client.call("status", {});
      assert.equal(result.isError, false, result.text);
      const resultFrame = broker.published.filter((p) => p.topic.startsWith(`${session.topics.rpc}/`)).at(-1);
      assert.ok(resultFrame, "the flow answered on the client's reply topic");
      assert.match(resultFrame.clientId, new RegExp(`^${prefix}-flow-lane-`));
      const callFrame = broker.published.filter((p) => p.topic === session.topics.rpc).at(-1);
      assert.ok(callFrame);
      assert.match(callFrame.clientId, /^claude-home-bridge-.*-lane-/);
    } finally {
      await client.stop();
      await host.stop();
      await session.stop();
    }
    await eventually("every connection to close", () => ![...broker.connected].some((id) => id.startsWith(prefix) || id.startsWith("claude-home-bridge-")));
  });
});
