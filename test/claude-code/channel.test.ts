/**
 * The real Claude Code with the plugin installed (bridge mode), against the scripted
 * model: what the model receives from the channel, and what its tool calls do on the
 * broker.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { sessionTopics } from "../../core/layout.js";
import { buildInstructions } from "../../mcp-bridge/instructions.js";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { uniquePrefix } from "../helpers/session.js";
import { Peer } from "../bridge/harness.js";
import { CHANNEL_SOURCE, ClaudeCode, claudeCodeMissing, toolName } from "./harness.js";
import { channelAttributes, channelBlocks, lastUserText, messageText, ModelServer, toolResults, type ModelRequest } from "./model-server.js";

const missing = claudeCodeMissing();
const SESSION = "kitchen";

/** The `<channel>` blocks of the turn the model is asked to answer. */
const blocksOf = (request: ModelRequest): string[] => channelBlocks(lastUserText(request));
const hasBlockWith = (text: string) => (request: ModelRequest): boolean => blocksOf(request).some((b) => b.includes(text));
const envelope = (content: string): string => JSON.stringify({ sender: "hall-panel", ts: "2026-12-01T10:00:00Z", content });

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
    await peer.subscribe("home/#");
    const lists = { admitted: [topics.inbox], watched: ["sensors/#"], muted: [], bufferMaxAge: 3600, bufferMaxPerTopic: 100 };
    cc = await ClaudeCode.start({
      model,
      bridgeEnv: { MQTT_BROKER_URL: broker.url, SESSION_NAME: SESSION, MQTT_TOPIC_PREFIX: prefix, SESSION_HOST: "bridge" },
      stateFiles: { [`sessions/${SESSION}.json`]: JSON.stringify(lists) },
    });
    await peer.next((m) => m.topic === topics.status && m.payload.toString().includes('"online"'), "the bridge's online status");
  });
  after(async () => {
    await cc?.stop();
    await peer?.end();
    await model?.stop();
    await broker?.stop();
  });

  test("a message on the session inbox reaches the model as one <channel> block with one source, saying its tier", async () => {
    await peer.publish(topics.inbox, envelope("door opened"));
    const request = await cc.showingScreen(model.waitForRequest(hasBlockWith("door opened"), "with the inbox message"));
    const blocks = blocksOf(request);
    assert.equal(blocks.length, 1, blocks.join("\n"));
    const attributes = channelAttributes(blocks[0]!);
    assert.deepEqual(attributes.filter(([k]) => k === "source"), [["source", CHANNEL_SOURCE]]);
    const meta = Object.fromEntries(attributes);
    assert.equal(meta.tier, "admitted");
    assert.equal(meta.topic, topics.inbox);
    assert.equal(meta.sender, "hall-panel");
    assert.match(blocks[0]!, />\ndoor opened\n<\/channel>$/);
  });

  test("a request says how to answer it", async () => {
    await peer.publish(topics.inbox, JSON.stringify({ sender: "hall-panel", ts: "2026-12-01T10:00:00Z", content: "are you there?", correlation_id: "q-7", reply_to: "home/answers" }));
    const request = await cc.showingScreen(model.waitForRequest(hasBlockWith("are you there?"), "with the request"));
    const meta = Object.fromEntries(channelAttributes(blocksOf(request).find((b) => b.includes("are you there?"))!));
    assert.equal(meta.reply_with, "mqtt reply tool: topic=home/answers, correlation_id=q-7");
  });

  test("the model's publish call puts the envelope on the broker, and the model gets a successful result", async () => {
    model.rule((r) => (hasBlockWith("turn the light on")(r) ? { toolUses: [{ name: toolName("publish"), input: { topic: "home/light", text: "ON" } }] } : undefined));
    await peer.publish(topics.inbox, envelope("turn the light on"));
    const published = await cc.showingScreen(peer.next((m) => m.topic === "home/light", "the published message on home/light"));
    const sent = JSON.parse(published.payload.toString()) as Record<string, unknown>;
    assert.equal(sent.sender, SESSION);
    assert.equal(sent.content, "ON");
    assert.ok(!Number.isNaN(Date.parse(String(sent.ts))), String(sent.ts));
    const answered = await model.waitForRequest((r) => toolResults(r).some((t) => t.name === toolName("publish")), "with the publish result");
    const result = toolResults(answered).find((t) => t.name === toolName("publish"))!;
    assert.equal(result.isError, false, result.text);
    assert.match(result.text, /home\/light/);
  });

  test("watched messages are not pushed to the model; the inbox tool returns them", async () => {
    await peer.publish("sensors/temperature", "21.5 °C");
    model.rule((r) => (hasBlockWith("what do the sensors say?")(r) ? { toolUses: [{ name: toolName("inbox"), input: { topic: "sensors/#" } }] } : undefined));
    await peer.publish(topics.inbox, envelope("what do the sensors say?"));
    const answered = await cc.showingScreen(model.waitForRequest((r) => toolResults(r).some((t) => t.name === toolName("inbox")), "with the inbox result"));
    const result = toolResults(answered).find((t) => t.name === toolName("inbox"))!;
    assert.equal(result.isError, false, result.text);
    assert.match(result.text, /1 message\(s\) on sensors\/#/);
    assert.match(result.text, /21\.5 °C/);
    const pushed = model.requests.flatMap((r) => r.messages.flatMap((m) => channelBlocks(messageText(m))));
    assert.ok(!pushed.some((b) => b.includes("21.5")), pushed.join("\n"));
  });

  test("events that arrive while the model is busy reach it in one later turn, in order", async () => {
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    model.rule(async (r) => {
      if (!hasBlockWith("busy 0")(r)) return undefined;
      await busy;
      return { text: "Done with the first one." };
    });
    await peer.publish(topics.inbox, envelope("busy 0"));
    const first = await cc.showingScreen(model.waitForRequest(hasBlockWith("busy 0"), "with the first event"));
    for (const n of [1, 2, 3]) await peer.publish(topics.inbox, envelope(`busy ${n}`));
    // Claude Code shows each event as it queues it.
    await cc.waitForScreen(/busy 3/, "the last queued event");
    release();
    const batch = await cc.showingScreen(model.waitForRequest(hasBlockWith("busy 1"), "with the queued events", 60_000, first.index + 1));
    const contents = blocksOf(batch).map((b) => /\n([\s\S]*)\n<\/channel>$/.exec(b)?.[1]);
    assert.deepEqual(contents.filter((c) => c?.startsWith("busy")), ["busy 1", "busy 2", "busy 3"]);
  });

  test("the instructions Claude Code passes to the model are complete", async () => {
    cc.type("What is on the MQTT channel?");
    const request = await cc.showingScreen(model.waitForRequest((r) => lastUserText(r).includes("What is on the MQTT channel?"), "with the typed prompt"));
    // Claude Code lists each server's instructions under its name, in a reminder of the turn.
    const text = [request.system, ...request.messages.map(messageText)].join("\n");
    const start = text.indexOf(`## ${CHANNEL_SOURCE}\n`);
    assert.ok(start >= 0, "the request names the plugin's server");
    const instructions = buildInstructions({ session: SESSION, prefix, permissions: { allow: [], deny: [] } });
    const received = text.slice(start + `## ${CHANNEL_SOURCE}\n`.length, start + `## ${CHANNEL_SOURCE}\n`.length + instructions.length + 40);
    assert.ok(received.startsWith(instructions), `received:\n${received}`);
    assert.doesNotMatch(received, /\[truncated\]/);
  });

  test("/exit ends Claude Code, and the bridge leaves the session offline", async () => {
    peer.received.length = 0;
    await cc.exit();
    await peer.next((m) => m.topic === topics.status && m.payload.toString().includes('"offline"'), "the session's offline status");
  });
});
