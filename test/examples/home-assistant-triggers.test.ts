import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readExample } from "../../demo/example-flows.js";
import { homeAssistantNodesReady } from "../../demo/home-assistant/nodes-ready.js";
import { renderOutcome, runTool } from "../../session/tools/run.js";
import { startSimulatedHomeAssistant, type SimulatedHomeAssistantStack } from "../helpers/home-assistant.js";
import { received } from "../nodes/helpers/red.js";
import { connected, exampleSuite, loadExample, nextAdmitted, until } from "./harness.js";

const suite = exampleSuite();

const EXAMPLE = "home-assistant-triggers";
const taps = { "ha-gate": [["admitted"], ["watched"], ["dropped"]] };

let ha: SimulatedHomeAssistantStack | undefined;
afterEach(async () => {
  // The simulator answers every command the Home Assistant nodes sent: the subset it documents is enough.
  assert.deepEqual([...(ha?.server.unknownCommands ?? [])], []);
  await ha?.stop();
  ha = undefined;
});

/** The example against a fresh simulated Home Assistant, once its nodes follow the home's state changes. */
async function loadWithHomeAssistant(): Promise<SimulatedHomeAssistantStack> {
  ha = await startSimulatedHomeAssistant(suite.broker.url);
  const stack = ha;
  await loadExample(EXAMPLE, suite.broker.url, { taps, credentials: stack.credentialsFor(readExample(EXAMPLE)) });
  await until(() => homeAssistantNodesReady("ha-server"), "the Home Assistant nodes to be ready", 20_000);
  return stack;
}

describe("example: Home Assistant triggers gated into Claude (the real Home Assistant nodes)", () => {
  test("the front door opening in Home Assistant reaches Claude through trigger: state, as its one-line summary", async () => {
    const { home } = await loadWithHomeAssistant();
    const session = await connected("ha-session");
    const toClaude = nextAdmitted(session, (m) => m.topic === "homeassistant/binary_sensor/front_door");
    const out = received("admitted");
    await home.openFrontDoor();
    const [msg] = await out;
    assert.equal(msg!.topic, "binary_sensor.front_door");
    assert.equal(msg!.payload, "on");
    assert.deepEqual(msg!.claude, {
      tier: "admitted",
      pattern: "homeassistant/binary_sensor/front_door",
      session: "home",
      topic: "homeassistant/binary_sensor/front_door",
    });
    const admitted = await toClaude;
    assert.equal(admitted.content, "Front door (binary_sensor.front_door): off → on");
    assert.equal(admitted.extra?.entity_id, "binary_sensor.front_door");
  });

  test("a temperature from events: state is watched and waits in Claude's inbox", async () => {
    const { home } = await loadWithHomeAssistant();
    const session = await connected("ha-session");
    const out = received("watched");
    const readings = await home.readTemperatures();
    const [msg] = await out;
    const entityId = String(msg!.topic);
    assert.match(entityId, /^sensor\.\w+_temperature$/);
    assert.equal((msg!.claude as { pattern?: string }).pattern, "homeassistant/sensor/+");
    const inbox = session.inbox({ filter: `homeassistant/sensor/${entityId.slice("sensor.".length)}` });
    assert.equal(inbox.kind, "messages");
    const [content] = inbox.kind === "messages" ? inbox.messages.map((m) => m.content) : [];
    assert.match(content ?? "", new RegExp(`\\(${entityId.replace(".", "\\.")}\\): [\\d.]+ → ${readings[entityId]!.replace(".", "\\.")} \\[°C\\]$`));
  });

  test("the noisy Wi-Fi signal is muted: dropped, never buffered", async () => {
    const { home } = await loadWithHomeAssistant();
    const session = await connected("ha-session");
    const out = received("dropped");
    await home.set("sensor.wifi_signal", "-70");
    const [msg] = await out;
    assert.equal((msg!.claude as { reason?: string }).reason, "muted");
    assert.equal((msg!.claude as { topic?: string }).topic, "homeassistant/sensor/wifi_signal");
    assert.deepEqual(session.inbox({}), { kind: "summary", topics: [] });
  });

  test("Claude's `on` goes through claude-action and the action node to Home Assistant, and Claude hears the light turn on", async () => {
    const { home, server } = await loadWithHomeAssistant();
    const session = await connected("ha-session");
    const heard = nextAdmitted(session, (m) => m.topic === "homeassistant/light/living_room");
    const result = await runTool(session, "publish", { topic: "home/commands/light/living_room", text: "on" });
    assert.equal(result.isError ?? false, false, result.text);
    assert.match(renderOutcome(result).text, /light\.turn_on called on light\.living_room/);
    assert.deepEqual(server.serviceCalls, [{ domain: "light", service: "turn_on", entityIds: ["light.living_room"] }]);
    assert.equal(home.state("light.living_room"), "on");
    assert.equal((await heard).content, "Living room light (light.living_room): off → on");
  });

  test("a command the flow does not allow is refused before Home Assistant sees it", async () => {
    const { server, home } = await loadWithHomeAssistant();
    const session = await connected("ha-session");
    const result = await runTool(session, "publish", { topic: "home/commands/light/living_room", text: "party mode" });
    assert.equal(result.isError, true);
    assert.match(result.text, /understands "on" and "off", not "party mode"/);
    assert.deepEqual(server.serviceCalls, []);
    assert.equal(home.state("light.living_room"), "off");
  });
});
