import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { tempDir, uniquePrefix } from "../helpers/session.js";
import { LinkClient } from "../../session/link/client.js";
import type { AdmittedMessage } from "../../session/types.js";
import { claudeNodes, configNode, connected, deploy, gateFlow, helper, logged, LOG_ERROR, waitFor } from "./helpers/red.js";
import { renderOutcome } from "../../session/tools/run.js";

const KEY = "k3y-of-the-flow-link-0123456789abcdef";
let broker: TestBroker;
let prefix: string;
const clients: LinkClient[] = [];

before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
});
beforeEach(() => {
  helper.settings({ userDir: tempDir("claude-link-") });
  prefix = uniquePrefix();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await helper.unload();
});

function bridge(key = KEY): LinkClient & { received: AdmittedMessage[] } {
  const client = Object.assign(new LinkClient({ brokerUrl: broker.url, prefix, name: "flowbot", key, callTimeoutMs: 2000 }), {
    received: [] as AdmittedMessage[],
  });
  client.on("admitted", (m) => client.received.push(m));
  client.start();
  clients.push(client);
  return client;
}

describe("claude-session with a link key", () => {
  test("serves the bridge even with no gate or publish node, and says so in its retained status", async () => {
    const flow = [
      { id: "f1", type: "tab", label: "claude" },
      { id: "s1", type: "claude-session", name: "flowbot", broker: broker.url, prefix, qos: 1, heartbeat: 60 },
    ];
    await helper.load(claudeNodes, flow, { s1: { linkKey: KEY } });
    await connected("s1");
    const client = bridge();
    const status = await client.waitForStatus(5000);
    assert.equal(status?.host, "flow");
    assert.equal(typeof (status?.link as { epoch?: unknown } | undefined)?.epoch, "string");
    let outcome = await client.call("watch", { pattern: "sensors/#" });
    for (let attempt = 0; outcome.isError && attempt < 20; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      outcome = await client.call("watch", { pattern: "sensors/#" });
    }
    assert.match(renderOutcome(outcome).text, /Watching "sensors\/#"/);
    assert.equal(outcome.isError, false);
  });

  test("a message admitted by claude-gate reaches the bridge; a wrong key gets nothing", async () => {
    await helper.load(claudeNodes, gateFlow(broker.url, prefix, { session: { admitted: ["doors/#"] } }), { s1: { linkKey: KEY } });
    await connected("s1");
    const client = bridge();
    const impostor = bridge("x".repeat(40));
    await waitFor(() => (configNode("s1").current() as { session?: { status(): { link?: { bridges: unknown[] } } } }).session?.status().link?.bridges.length === 1 || undefined, "the bridge to attach");
    helper.getNode("g1")!.receive({ topic: "doors/front", payload: "open" });
    await waitFor(() => client.received[0], "the admitted message at the bridge");
    assert.equal(client.received[0]!.content, "open");
    assert.equal(client.received[0]!.via, "flow");
    const refused = await impostor.call("status", {}, 1000);
    assert.equal(refused.isError, true);
    assert.equal(impostor.received.length, 0);
  });

  test("a link key that is too short is a configuration problem, not a crash", async () => {
    await helper.load(claudeNodes, gateFlow(broker.url, prefix), { s1: { linkKey: "short" } });
    await waitFor(() => (logged(LOG_ERROR, "s1").some((m) => /link key is too short/.test(m)) ? true : undefined), "the error to be logged");
  });

  test("admitted messages no bridge has taken survive a full redeploy", async () => {
    const flow = gateFlow(broker.url, prefix, { session: { admitted: ["doors/#"] } });
    await helper.load(claudeNodes, flow, { s1: { linkKey: KEY } });
    await connected("s1");
    helper.getNode("g1")!.receive({ topic: "doors/front", payload: "opened before the deploy" });
    await deploy(flow.map((n) => (n.id === "s1" ? { ...n, heartbeat: 30, credentials: { linkKey: KEY } } : n)));
    await connected("s1");
    const client = bridge();
    await waitFor(() => client.received[0], "the message from before the deploy");
    assert.equal(client.received[0]!.content, "opened before the deploy");
  });
});
