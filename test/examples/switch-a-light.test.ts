import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { LIGHT_SET_TOPIC, SimulatedHome } from "../../demo/home.js";
import { logged, LOG_WARN } from "../nodes/helpers/red.js";
import { connected, exampleSuite, listening, loadExample, nextAdmitted, press, until } from "./harness.js";

const suite = exampleSuite({ peer: { subscribe: [LIGHT_SET_TOPIC] } });

const EXAMPLE = "switch-a-light";
const COMMANDS = "home/commands/light/living_room";
let home: SimulatedHome | undefined;

afterEach(async () => {
  await home?.stop();
  home = undefined;
});

function setCommands(): string[] {
  return suite.peer.received.filter((m) => m.topic === LIGHT_SET_TOPIC).map((m) => m.payload.toString());
}

describe("example: Claude switches a light through a raw publish", () => {
  test("Claude's \"on\" reaches the light as a bare ON; the light obeys, and its new state is admitted to Claude", async () => {
    await loadExample(EXAMPLE, suite.broker.url);
    const session = await connected("light-session");
    await listening();
    home = await SimulatedHome.start(suite.broker.url);
    const confirmed = nextAdmitted(session, (m) => m.topic === "homeassistant/light/living_room/state" && m.content === "on");
    press("light-try-on");
    await until(() => setCommands().length > 0, "a command on the light's set topic");
    assert.deepEqual(setCommands(), ["ON"]);
    await confirmed;
    assert.equal(home.state("light.living_room"), "on");
  });

  test("only on and off pass: anything else is refused with a warning and never reaches the light", async () => {
    await loadExample(EXAMPLE, suite.broker.url);
    await connected("light-session");
    await listening();
    home = await SimulatedHome.start(suite.broker.url);
    await suite.peer.publish(COMMANDS, JSON.stringify({ sender: "lights", ts: new Date().toISOString(), content: "unlock the front door" }));
    await suite.peer.publish(COMMANDS, "off");
    await until(() => setCommands().length > 0, "a command on the light's set topic");
    assert.deepEqual(setCommands(), ["OFF"]);
    assert.match(logged(LOG_WARN, "light-allow").join("\n"), /light command refused: "unlock the front door"/);
  });
});
