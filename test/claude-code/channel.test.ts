/**
 * The real Claude Code with the plugin installed, against the scripted model: what the
 * model receives from the channel and what its tool calls do on the broker.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { sessionTopics } from "../../core/layout.js";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { uniquePrefix } from "../helpers/session.js";
import { Peer } from "../bridge/harness.js";
import { CHANNEL_SOURCE, ClaudeCode, claudeCodeMissing } from "./harness.js";
import { channelAttributes, channelBlocks, lastUserText, ModelServer } from "./model-server.js";

const missing = claudeCodeMissing();
const SESSION = "kitchen";

if (missing) test("the real Claude Code with the plugin", { skip: missing }, () => undefined);
else describe("the real Claude Code with the plugin (bridge mode)", () => {
  let broker: TestBroker;
  let model: ModelServer;
  let cc: ClaudeCode;
  let peer: Peer;
  const prefix = uniquePrefix();
  const topics = sessionTopics(prefix, SESSION);

  before(async () => {
    broker = await startBroker();
    model = await ModelServer.start();
    peer = await Peer.connect(broker.url);
    await peer.subscribe(topics.status);
    cc = await ClaudeCode.start({ model, bridgeEnv: { MQTT_BROKER_URL: broker.url, SESSION_NAME: SESSION, MQTT_TOPIC_PREFIX: prefix, SESSION_HOST: "bridge" } });
    await peer.next((m) => m.topic === topics.status && m.payload.toString().includes('"online"'), "the bridge's online status");
  });
  after(async () => {
    await cc?.stop();
    await peer?.end();
    await model?.stop();
    await broker?.stop();
  });

  test("a message on the session inbox reaches the model as one <channel> block with one source", async () => {
    await peer.publish(topics.inbox, JSON.stringify({ sender: "hall-sensor", ts: "2026-12-01T10:00:00Z", content: "door opened" }));
    const request = await cc.showingScreen(model.waitForRequest((r) => channelBlocks(lastUserText(r)).length > 0, "with a <channel> block"));
    const blocks = channelBlocks(lastUserText(request));
    assert.equal(blocks.length, 1, blocks.join("\n"));
    const attributes = channelAttributes(blocks[0]!);
    assert.deepEqual(attributes.filter(([k]) => k === "source"), [["source", CHANNEL_SOURCE]]);
    assert.ok(blocks[0]!.includes("door opened"), blocks[0]);
  });

  test("/exit ends Claude Code, and the bridge leaves the session offline", async () => {
    peer.received.length = 0;
    await cc.exit();
    await peer.next((m) => m.topic === topics.status && m.payload.toString().includes('"offline"'), "the session's offline status");
  });
});
