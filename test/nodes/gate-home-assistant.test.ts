/**
 * claude-gate on what the real Home Assistant nodes emit: each common node runs against the
 * simulated Home Assistant with its default output properties and is wired straight into
 * the gate.
 */
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { NodeMessage } from "node-red";
import type { FlowNode } from "../../demo/example-flows.js";
import { homeAssistantNodesReady } from "../../demo/home-assistant/nodes-ready.js";
import type { GateVerdict } from "../../nodes/shared/types.js";
import type { Session } from "../../session/session.js";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { homeAssistantNodes, startSimulatedHomeAssistant, type SimulatedHomeAssistantStack } from "../helpers/home-assistant.js";
import { tempDir, uniquePrefix } from "../helpers/session.js";
import { claudeNodes, connected, gateFlow, helper, received, waitFor } from "./helpers/red.js";

let broker: TestBroker;
let ha: SimulatedHomeAssistantStack;

before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
});
beforeEach(async () => {
  helper.settings({ userDir: tempDir("claude-gate-ha-") });
  ha = await startSimulatedHomeAssistant(broker.url);
});
afterEach(async () => {
  await helper.unload();
  await ha.stop();
});

const SERVER: FlowNode = { id: "ha", type: "server", name: "Home Assistant", version: 6, addon: false, rejectUnauthorizedCerts: true, connectionDelay: false, cacheJson: true, heartbeat: false };

/** The Home Assistant node under test, wired into the gate `g1` of a session that watches every Home Assistant topic. */
async function load(node: FlowNode): Promise<Session> {
  const flow = gateFlow(broker.url, uniquePrefix(), { session: { watched: ["homeassistant/#"] }, extra: [SERVER, { z: "f1", server: "ha", wires: [["g1"]], ...node }] });
  await helper.load([...claudeNodes, homeAssistantNodes], flow, ha.credentialsFor(flow));
  await waitFor(() => homeAssistantNodesReady("ha") || undefined, "the Home Assistant nodes to be ready", 20_000);
  return connected("s1");
}

/** The gate's verdict and the inbox line for the first watched message. */
async function gated(session: Session, act: () => Promise<unknown>): Promise<{ msg: NodeMessage; topic: string; content: string }> {
  const watched = received("watched");
  await act();
  const [msg] = await watched;
  const topic = (msg!.claude as GateVerdict).topic;
  const inbox = session.inbox({ filter: topic });
  assert.ok(inbox.kind === "messages" && inbox.messages.length > 0, `the inbox holds ${topic}`);
  return { msg: msg!, topic, content: inbox.messages.at(-1)!.content };
}

const DEFAULTS = { version: 5, outputs: 1, exposeAsEntityConfig: "", stateType: "str", outputInitially: false };

describe("claude-gate on the real Home Assistant nodes' messages", () => {
  test("trigger: state", async () => {
    const session = await load({ id: "n", type: "trigger-state", ...DEFAULTS, outputs: 2, inputs: 0, entities: { entity: ["binary_sensor.front_door"], substring: [], regex: [] }, constraints: [], customOutputs: [], enableInput: false });
    const { msg, topic, content } = await gated(session, () => ha.home.openFrontDoor());
    assert.equal(msg.topic, "binary_sensor.front_door");
    assert.equal((msg as { data?: { event_type?: string } }).data?.event_type, "state_changed");
    assert.equal(topic, "homeassistant/binary_sensor/front_door");
    assert.equal(content, "Front door (binary_sensor.front_door): off → on");
  });

  test("events: state", async () => {
    const session = await load({
      id: "n",
      type: "server-state-changed",
      ...DEFAULTS,
      version: 6,
      entities: { entity: ["sensor.outdoor_temperature"], substring: [], regex: [] },
      ifState: "",
      ifStateType: "str",
      ifStateOperator: "is",
      outputOnlyOnStateChange: true,
      for: "0",
      forType: "num",
      forUnits: "minutes",
      outputProperties: [
        { property: "payload", propertyType: "msg", value: "", valueType: "entityState" },
        { property: "data", propertyType: "msg", value: "", valueType: "eventData" },
        { property: "topic", propertyType: "msg", value: "", valueType: "triggerId" },
      ],
    });
    const { topic, content } = await gated(session, () => ha.home.set("sensor.outdoor_temperature", "8.4"));
    assert.equal(topic, "homeassistant/sensor/outdoor_temperature");
    assert.equal(content, "Outdoor temperature (sensor.outdoor_temperature): 7.8 → 8.4 [°C]");
  });

  test("events: all, for state_changed", async () => {
    const session = await load({
      id: "n",
      type: "server-events",
      ...DEFAULTS,
      version: 3,
      eventType: "state_changed",
      eventData: "",
      waitForRunning: true,
      outputProperties: [
        { property: "payload", propertyType: "msg", value: "", valueType: "eventData" },
        { property: "topic", propertyType: "msg", value: '$outputData("eventData").event_type', valueType: "jsonata" },
      ],
    });
    const { msg, topic, content } = await gated(session, () => ha.home.set("sensor.bedroom_temperature", "19.6"));
    assert.equal(msg.topic, "state_changed", "events: all names the event type, not the entity");
    assert.equal(topic, "homeassistant/sensor/bedroom_temperature");
    assert.equal(content, "Bedroom temperature (sensor.bedroom_temperature): 19.2 → 19.6 [°C]");
  });

  test("poll state", async () => {
    const session = await load({
      id: "n",
      type: "poll-state",
      ...DEFAULTS,
      version: 3,
      updateInterval: "1",
      updateIntervalType: "num",
      updateIntervalUnits: "seconds",
      outputOnChanged: false,
      entityId: "sensor.wifi_signal",
      ifState: "",
      ifStateType: "str",
      ifStateOperator: "is",
      outputProperties: [
        { property: "payload", propertyType: "msg", value: "", valueType: "entityState" },
        { property: "data", propertyType: "msg", value: "", valueType: "entity" },
        { property: "topic", propertyType: "msg", value: "", valueType: "triggerId" },
      ],
    });
    const { topic, content } = await gated(session, async () => undefined);
    assert.equal(topic, "homeassistant/sensor/wifi_signal");
    assert.equal(content, "Wi-Fi signal (sensor.wifi_signal): -61 (polled) [dBm]");
  });

  test("current state", async () => {
    const session = await load({
      id: "n",
      type: "api-current-state",
      version: 3,
      outputs: 1,
      halt_if: "",
      halt_if_type: "str",
      halt_if_compare: "is",
      entity_id: "sensor.living_room_temperature",
      state_type: "str",
      blockInputOverrides: true,
      outputProperties: [
        { property: "payload", propertyType: "msg", value: "", valueType: "entityState" },
        { property: "data", propertyType: "msg", value: "", valueType: "entity" },
      ],
      for: "0",
      forType: "num",
      forUnits: "minutes",
      },
    );
    const { topic, content } = await gated(session, async () => helper.getNode("n")!.receive({} as NodeMessage));
    assert.equal(topic, "homeassistant/sensor/living_room_temperature");
    assert.equal(content, "Living room temperature (sensor.living_room_temperature): 21.4 (polled) [°C]");
  });

  test("the action node, with its action data as output", async () => {
    const session = await load({
      id: "n",
      type: "api-call-service",
      version: 7,
      action: "light.turn_on",
      floorId: [],
      areaId: [],
      deviceId: [],
      entityId: ["light.living_room"],
      labelId: [],
      data: "",
      dataType: "jsonata",
      mergeContext: "",
      mustacheAltTags: false,
      outputProperties: [{ property: "data", propertyType: "msg", value: "", valueType: "data" }],
      queue: "none",
      blockInputOverrides: true,
    });
    const { topic, content } = await gated(session, async () => helper.getNode("n")!.receive({ payload: "go" } as NodeMessage));
    assert.equal(ha.home.state("light.living_room"), "on");
    assert.equal(topic, "homeassistant/light/living_room");
    assert.equal(content, "light.living_room: light.turn_on called");
  });
});
