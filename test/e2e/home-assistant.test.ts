/**
 * End to end with Home Assistant: a real Node-RED runs the Home Assistant example with the
 * real Home Assistant nodes against the simulated Home Assistant, and the bridge (flow mode)
 * is driven by an MCP client as Claude Code drives it. Claude publishes `on` to
 * `home/commands/light/living_room`; claude-action hands it to the flow, the action node
 * calls `light.turn_on`, the simulated Home Assistant switches the light, and the state
 * change comes back through trigger: state and claude-gate as a channel notification.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { homeAssistantCredentials, pointAtBroker, readExample, type FlowNode } from "../../demo/example-flows.js";
import { eventually } from "../bridge/harness.js";
import { startSimulatedHomeAssistant, type SimulatedHomeAssistantStack } from "../helpers/home-assistant.js";
import { LINK_KEY, SESSION, startFlowBridge, startStack, type Stack } from "./stack.js";

const COMMANDS = "home/commands/light/living_room";

let ha: SimulatedHomeAssistantStack | undefined;
let stack: Stack | undefined;

/** The example as a user deploys it: pointed at the broker and Home Assistant, the session under the suite's prefix with the link key. */
async function exampleFlow(prefix: string, brokerUrl: string): Promise<FlowNode[]> {
  ha = await startSimulatedHomeAssistant(brokerUrl);
  const flow = pointAtBroker(readExample("home-assistant-triggers"), brokerUrl);
  const credentials = homeAssistantCredentials(flow, ha.server.url, ha.token);
  return flow.map((node) => {
    if (node.type === "claude-session") return { ...node, prefix, credentials: { linkKey: LINK_KEY } };
    const own = credentials[node.id];
    return own ? { ...node, credentials: own } : node;
  });
}

before(async () => {
  stack = await startStack((prefix, broker) => exampleFlow(prefix, broker.url), { extraModules: ["node-red-contrib-home-assistant-websocket"] });
  const { server } = ha!;
  await eventually(() => server.loadedByAClient, "the Home Assistant nodes to load states, services and state changes", 30_000);
});
after(async () => {
  await stack?.stop();
  await ha?.stop();
});

describe("e2e: Claude switches a Home Assistant light through the flow", () => {
  test("publish on → claude-action → light.turn_on → the light's new state is a channel notification", async () => {
    const { home, server } = ha!;
    const bridge = await startFlowBridge(stack!);
    assert.equal(SESSION, "home", "the example's session");

    const from = bridge.notifications.length;
    const answer = await bridge.ok("publish", { topic: COMMANDS, text: "on" });
    assert.equal(answer, `The flow handling ${COMMANDS} answered: light.turn_on called on light.living_room`);
    assert.deepEqual(server.serviceCalls, [{ domain: "light", service: "turn_on", entityIds: ["light.living_room"] }]);
    assert.equal(home.state("light.living_room"), "on");

    const heard = await bridge.nextNotification((n) => n.meta.topic === "homeassistant/light/living_room", from);
    assert.equal(heard.content, "Living room light (light.living_room): off → on");
    assert.equal(heard.meta.tier, "admitted");
    assert.equal(heard.meta.entity_id, "light.living_room");

    const refusal = await bridge.call("publish", { topic: COMMANDS, text: "dim to 10%" });
    assert.equal(refusal.isError, true);
    assert.match(refusal.text, /understands "on" and "off", not "dim to 10%"/);
    assert.equal(server.serviceCalls.length, 1, "a refused command never reaches Home Assistant");
  });

  test("a door opening in Home Assistant reaches Claude through trigger: state", async () => {
    const bridge = await startFlowBridge(stack!);
    const from = bridge.notifications.length;
    await ha!.home.openFrontDoor();
    const heard = await bridge.nextNotification((n) => n.meta.topic === "homeassistant/binary_sensor/front_door", from);
    assert.equal(heard.content, "Front door (binary_sensor.front_door): off → on");
  });
});
