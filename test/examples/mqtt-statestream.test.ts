import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { received } from "../nodes/helpers/red.js";
import { connected, exampleSuite, listening, loadExample, nextAdmitted } from "./harness.js";

const suite = exampleSuite({ peer: {} });

const EXAMPLE = "mqtt-statestream";
const taps = { "statestream-gate": [["admitted"], ["watched"], ["dropped"]] };

describe("example: MQTT statestream gated into Claude", () => {
  test("a sensor's state is matched as homeassistant/sensor/<object_id> and waits in Claude's inbox", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps });
    const session = await connected("statestream-session");
    await listening();
    const out = received("watched");
    await suite.peer.publish("homeassistant/sensor/kitchen_temperature/state", "20.5");
    const [msg] = await out;
    assert.equal(msg!.topic, "homeassistant/sensor/kitchen_temperature/state");
    assert.deepEqual(msg!.claude, { tier: "watched", pattern: "homeassistant/sensor/+", session: "statestream", topic: "homeassistant/sensor/kitchen_temperature" });
    const inbox = session.inbox({ filter: "homeassistant/sensor/kitchen_temperature" });
    assert.deepEqual(inbox.kind === "messages" ? inbox.messages.map((m) => m.content) : inbox, ["20.5"]);
  });

  test("the muted Wi-Fi signal is dropped", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps });
    await connected("statestream-session");
    await listening();
    const out = received("dropped");
    await suite.peer.publish("homeassistant/sensor/wifi_signal/state", "-64");
    const [msg] = await out;
    assert.equal((msg!.claude as { reason?: string }).reason, "muted");
  });

  test("a reading is gated once, by the flow: the session does not also take statestream topics itself", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps });
    const session = await connected("statestream-session");
    await listening();
    const out = received("watched");
    await suite.peer.publish("homeassistant/sensor/kitchen_temperature/state", "20.5");
    await out;
    // The session hears its own inbox: a message sent after the reading, by the same client, arrives after it.
    const marker = nextAdmitted(session, (m) => m.topic === "claude/sessions/statestream/inbox");
    await suite.peer.publish("claude/sessions/statestream/inbox", JSON.stringify({ sender: "test", ts: new Date().toISOString(), content: "marker" }));
    await marker;
    assert.equal(session.status().counts.watched, 1);
  });
});
