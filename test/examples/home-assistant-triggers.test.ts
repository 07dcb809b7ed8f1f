import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SimulatedHome } from "../../demo/home.js";
import { received } from "../nodes/helpers/red.js";
import { connected, exampleSuite, listening, loadExample, nextAdmitted, press } from "./harness.js";

const suite = exampleSuite();

const EXAMPLE = "home-assistant-triggers";
const taps = { "ha-gate": [["admitted"], ["watched"], ["dropped"]] };

describe("example: Home Assistant triggers gated into Claude", () => {
  test("the front door (trigger: state stand-in) is admitted and reaches Claude as its one-line summary", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps });
    const home = await connected("ha-session");
    const toClaude = nextAdmitted(home, (m) => m.topic === "homeassistant/binary_sensor/front_door");
    const out = received("admitted");
    press("ha-door");
    const [msg] = await out;
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

  test("a temperature (events: state stand-in) is watched and waits in Claude's inbox", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps });
    const home = await connected("ha-session");
    const out = received("watched");
    press("ha-temperature");
    const [msg] = await out;
    assert.equal((msg!.claude as { pattern?: string }).pattern, "homeassistant/sensor/+");
    const inbox = home.inbox({ filter: "homeassistant/sensor/living_room_temperature" });
    assert.equal(inbox.kind, "messages");
    assert.deepEqual(
      inbox.kind === "messages" ? inbox.messages.map((m) => m.content) : [],
      ["Living room temperature (sensor.living_room_temperature): 21.4 → 21.7 [°C]"],
    );
  });

  test("the noisy Wi-Fi signal is muted: dropped, never buffered", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps });
    const home = await connected("ha-session");
    const out = received("dropped");
    press("ha-wifi");
    const [msg] = await out;
    assert.deepEqual(msg!.claude, {
      tier: "dropped",
      pattern: "homeassistant/sensor/wifi_signal",
      session: "home",
      topic: "homeassistant/sensor/wifi_signal",
      reason: "muted",
    });
    assert.deepEqual(home.inbox({}), { kind: "summary", topics: [] });
  });

  test("the demo's simulated Home Assistant events become events: state messages and are gated the same way", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps });
    const session = await connected("ha-session");
    await listening();
    const simulated = await SimulatedHome.start(suite.broker.url);
    try {
      const toClaude = nextAdmitted(session, (m) => m.topic === "homeassistant/binary_sensor/front_door");
      const out = received("admitted");
      await simulated.openFrontDoor();
      const [msg] = await out;
      assert.equal(msg!.topic, "binary_sensor.front_door");
      assert.equal(msg!.payload, "on");
      const data = msg!.data as { entity_id: string; old_state: { state: string }; new_state: { state: string; attributes: Record<string, string> } };
      assert.equal(data.entity_id, "binary_sensor.front_door");
      assert.equal(data.old_state.state, "off");
      assert.equal(data.new_state.attributes.friendly_name, "Front door");
      assert.equal((await toClaude).content, "Front door (binary_sensor.front_door): off → on");
    } finally {
      await simulated.stop();
    }
  });
});
