import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { received } from "../nodes/helpers/red.js";
import { connected, exampleSuite, loadExample, nextAdmitted, press } from "./harness.js";

const suite = exampleSuite();

const EXAMPLE = "home-assistant-stand-ins";
const taps = { "standins-gate": [["admitted"], ["watched"], ["dropped"]] };

describe("example: Home Assistant stand-ins gated into Claude", () => {
  test("the front door (trigger: state stand-in) is admitted and reaches Claude as its one-line summary", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps });
    const home = await connected("stand-ins-session");
    const toClaude = nextAdmitted(home, (m) => m.topic === "homeassistant/binary_sensor/front_door");
    const out = received("admitted");
    press("standins-door");
    const [msg] = await out;
    assert.deepEqual(msg!.claude, {
      tier: "admitted",
      pattern: "homeassistant/binary_sensor/front_door",
      session: "standins",
      topic: "homeassistant/binary_sensor/front_door",
    });
    const admitted = await toClaude;
    assert.equal(admitted.content, "Front door (binary_sensor.front_door): off → on");
    assert.equal(admitted.extra?.entity_id, "binary_sensor.front_door");
  });

  test("a temperature (events: state stand-in) is watched and waits in Claude's inbox", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps });
    const home = await connected("stand-ins-session");
    const out = received("watched");
    press("standins-temperature");
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
    const home = await connected("stand-ins-session");
    const out = received("dropped");
    press("standins-wifi");
    const [msg] = await out;
    assert.deepEqual(msg!.claude, {
      tier: "dropped",
      pattern: "homeassistant/sensor/wifi_signal",
      session: "standins",
      topic: "homeassistant/sensor/wifi_signal",
      reason: "muted",
    });
    assert.deepEqual(home.inbox({}), { kind: "summary", topics: [] });
  });
});
