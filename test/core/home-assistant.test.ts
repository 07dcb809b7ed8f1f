import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  HA_SUMMARY_MAX,
  entityTopic,
  isEntityId,
  recogniseHaMessage,
  summariseHaChange,
  type HaStateChange,
} from "../../core/home-assistant.js";
import { context, haState } from "../nodes/fixtures/home-assistant.js";

// Fixtures are shaped as node-red-contrib-home-assistant-websocket 0.80.x sends them (reference: home-assistant-messages.md).

type Json = Record<string, unknown>;


/** The same state as served from the node's cache: no last_reported, context first, `Z` timestamps. */
function cachedState(entityId: string, state: string, attributes: Json): Json {
  return {
    entity_id: entityId,
    state,
    attributes,
    context: context("01JDB2W0AZ3F6H8K1M4P7R9T2W"),
    last_changed: "2026-11-21T19:10:58.408Z",
    last_updated: "2026-11-21T19:10:58.408Z",
  };
}

const door = { device_class: "door", friendly_name: "Front Door" };
const oldDoor = haState("binary_sensor.front_door", "off", door, "2026-11-21T18:02:11.004512+00:00");
const newDoor = { ...haState("binary_sensor.front_door", "on", door), timeSinceChangedMs: 3 };

/** The whole state_changed event, as trigger: state puts in `data` and events: all in `payload`. */
function stateChangedEvent(entityId: string, oldState: Json | null, newState: Json): Json {
  return {
    event_type: "state_changed",
    entity_id: entityId,
    event: { entity_id: entityId, old_state: oldState, new_state: newState },
    origin: "LOCAL",
    time_fired: "2026-11-21T19:10:58.408123+00:00",
    context: context("01JDB2X4S6Q7KZ8M3N5P9R2T4V"),
  };
}

function eventsStateMsg(entityId: string, oldState: Json | null, newState: Json): Json {
  return {
    _msgid: "d2a1c7f0b3e4a5c6",
    topic: entityId,
    payload: newState.state,
    data: { entity_id: entityId, old_state: oldState, new_state: newState },
  };
}

function recognised(msg: unknown): HaStateChange {
  const change = recogniseHaMessage(msg);
  assert.ok(change, "expected a Home Assistant message");
  return change;
}

describe("isEntityId", () => {
  test("accepts <domain>.<object_id> with lowercase letters, digits and underscores", () => {
    for (const id of ["binary_sensor.front_door", "sensor.living_room_temperature_2", "a.b", "sun.sun"]) {
      assert.equal(isEntityId(id), true, id);
    }
  });

  test("rejects ids with MQTT wildcards, separators, uppercase, missing or extra dots", () => {
    for (const id of [
      "sensor/temp.x", "sensor.temp/x", "sensor.+", "sensor.#", "+.x", "#", "Sensor.temp", "sensor.Temp",
      "sensor.a.b", "sensor", ".temp", "sensor.", "", "sensor. temp", "sensor.temp\n", "sensor.tëmp",
      "sensor-x.temp", "home_assistant_client:connected", "state_changed",
    ]) {
      assert.equal(isEntityId(id), false, JSON.stringify(id));
    }
  });

  test("rejects non-strings", () => {
    for (const value of [undefined, null, 1, true, {}, ["sensor.x"], Symbol("sensor.x")]) {
      assert.equal(isEntityId(value), false, String(value));
    }
  });

  test("accepts 255 characters, Home Assistant's limit, and rejects 256", () => {
    const at255 = `sensor.${"x".repeat(248)}`;
    assert.equal(at255.length, 255);
    assert.equal(isEntityId(at255), true);
    assert.equal(isEntityId(`${at255}x`), false);
    assert.equal(isEntityId(`sensor.${"x".repeat(1_000_000)}`), false);
  });
});

describe("entityTopic", () => {
  test("splits the entity id at the dot under homeassistant/", () => {
    assert.equal(entityTopic("binary_sensor.front_door"), "homeassistant/binary_sensor/front_door");
    assert.equal(entityTopic("sun.sun"), "homeassistant/sun/sun");
  });

  test("refuses an invalid id instead of producing a topic with wildcards or extra levels", () => {
    for (const id of ["sensor.#", "sensor.+", "a/b.c", "sensor.a.b", "Sensor.x"]) {
      assert.throws(() => entityTopic(id), { name: "RangeError", message: /is not a Home Assistant entity id/ }, id);
    }
  });
});

describe("recogniseHaMessage: node shapes", () => {
  test("events: state gives old and new state, friendly name and last_changed from data", () => {
    const change = recognised(eventsStateMsg("binary_sensor.front_door", oldDoor, newDoor));
    assert.deepEqual(change, {
      entityId: "binary_sensor.front_door",
      topic: "homeassistant/binary_sensor/front_door",
      friendlyName: "Front Door",
      oldState: "off",
      newState: "on",
      changedAttributes: [],
      lastChanged: "2026-11-21T19:10:58.408123+00:00",
      source: "server-state-changed",
    });
  });

  test("trigger: state reads the states from data.event", () => {
    const temp = { state_class: "measurement", unit_of_measurement: "°C", device_class: "temperature", friendly_name: "Living Room" };
    const oldTemp = haState("sensor.living_room", "21.5", temp, "2026-11-21T19:00:00.000001+00:00");
    const newTemp = { ...haState("sensor.living_room", "21.7", temp), timeSinceChangedMs: 0 };
    const msg = { topic: "sensor.living_room", payload: "21.7", data: stateChangedEvent("sensor.living_room", oldTemp, newTemp) };
    const change = recognised(msg);
    assert.equal(change.source, "trigger-state");
    assert.equal(change.oldState, "21.5");
    assert.equal(change.newState, "21.7");
    assert.equal(change.unit, "°C");
    assert.equal(change.friendlyName, "Living Room");
  });

  test("trigger: state output 2 (blocked) with failedComparators is recognised the same way", () => {
    const data = stateChangedEvent("binary_sensor.front_door", oldDoor, newDoor);
    const msg = {
      topic: "binary_sensor.front_door",
      payload: "on",
      data,
      failedComparators: [
        {
          constraint: { targetType: "this_entity", targetValue: "", propertyType: "current_state", propertyValue: "new_state.state", comparatorType: "is", comparatorValueDatatype: "str", comparatorValue: "off" },
          constraintTarget: { entityId: "binary_sensor.front_door", state: data.event },
          actualValue: "on",
          comparatorResult: false,
        },
      ],
    };
    const change = recognised(msg);
    assert.equal(change.source, "trigger-state");
    assert.equal(change.entityId, "binary_sensor.front_door");
    assert.equal(change.oldState, "off");
    assert.equal(change.newState, "on");
  });

  test("trigger: state with data.entity_id renamed away is still found through data.event.entity_id", () => {
    const data = stateChangedEvent("binary_sensor.front_door", oldDoor, newDoor);
    delete data.entity_id;
    const change = recognised({ topic: "front door", data });
    assert.equal(change.source, "trigger-state");
    assert.equal(change.entityId, "binary_sensor.front_door");
    assert.equal(change.newState, "on");
  });

  test("poll-state has no old state and takes the new state from data", () => {
    const lux = { state_class: "measurement", unit_of_measurement: "lx", device_class: "illuminance", friendly_name: "Hall Illuminance" };
    const data = { ...haState("sensor.hall_illuminance", "312", lux), timeSinceChangedMs: 1_204_331 };
    const change = recognised({ topic: "sensor.hall_illuminance", payload: "312", data });
    assert.equal(change.source, "poll-state");
    assert.equal(change.oldState, undefined);
    assert.equal(change.newState, "312");
    assert.equal(change.unit, "lx");
    assert.deepEqual(change.changedAttributes, []);
  });

  test("events: all state_changed is found through payload.entity_id; topic is the event type", () => {
    const msg = {
      topic: "state_changed",
      event_type: "state_changed",
      payload: stateChangedEvent("binary_sensor.front_door", oldDoor, newDoor),
    };
    const change = recognised(msg);
    assert.equal(change.source, "server-events");
    assert.equal(change.topic, "homeassistant/binary_sensor/front_door");
    assert.equal(change.oldState, "off");
    assert.equal(change.newState, "on");
  });

  test("events: all client events and events without an entity are not Home Assistant state messages", () => {
    assert.equal(recogniseHaMessage({ event_type: "home_assistant_client", topic: "home_assistant_client:connected", payload: "connected" }), undefined);
    assert.equal(recogniseHaMessage({ event_type: "home_assistant_client", topic: "home_assistant_client:error", payload: "error", data: "socket hang up" }), undefined);
    const callService = {
      event_type: "call_service",
      entity_id: undefined,
      event: { domain: "light", service: "turn_on", service_data: { entity_id: "light.kitchen" } },
      origin: "LOCAL",
      time_fired: "2026-11-21T19:10:58.408123+00:00",
      context: context("01JDB2X4S6Q7KZ8M3N5P9R2T4V"),
    };
    assert.equal(recogniseHaMessage({ topic: "call_service", payload: callService }), undefined);
  });

  test("events: all for a non-state event of an entity is recognised without states", () => {
    const triggered = {
      event_type: "automation_triggered",
      entity_id: "automation.porch_light",
      event: { name: "Porch light", entity_id: "automation.porch_light", source: "state of binary_sensor.front_door" },
      origin: "LOCAL",
      time_fired: "2026-11-21T19:10:58.408123+00:00",
      context: context("01JDB2X4S6Q7KZ8M3N5P9R2T4V"),
    };
    const change = recognised({ topic: "automation_triggered", payload: triggered });
    assert.equal(change.source, "server-events");
    assert.equal(change.oldState, undefined);
    assert.equal(change.newState, undefined);
    assert.equal(summariseHaChange(change), "automation.porch_light: no state in message");
  });

  test("a cached state on connect, old and new the same compressed object, has no change", () => {
    const cached = cachedState("light.kitchen", "on", { brightness: 180, color_mode: "brightness", friendly_name: "Kitchen" });
    const change = recognised(eventsStateMsg("light.kitchen", cached, cached));
    assert.equal(change.oldState, "on");
    assert.equal(change.newState, "on");
    assert.equal(change.lastChanged, "2026-11-21T19:10:58.408Z");
    assert.deepEqual(change.changedAttributes, []);
    assert.equal(summariseHaChange(change), "Kitchen (light.kitchen): on (unchanged)");
  });

  test("a cached state served to poll-state is read like a fresh one", () => {
    const change = recognised({ topic: "light.kitchen", payload: "on", data: cachedState("light.kitchen", "on", { friendly_name: "Kitchen" }) });
    assert.equal(change.source, "poll-state");
    assert.equal(change.newState, "on");
  });

  test("the deprecated State Type's number or boolean state gives way to original_state", () => {
    const temp = { unit_of_measurement: "°C", friendly_name: "Living Room" };
    const oldTemp = { ...haState("sensor.living_room", "21.5", temp), state: 21.5, original_state: "21.5" };
    const newTemp = { ...haState("sensor.living_room", "21.70", temp), state: 21.7, original_state: "21.70" };
    assert.equal(recognised(eventsStateMsg("sensor.living_room", oldTemp, newTemp)).newState, "21.70");

    const oldSwitch = { ...haState("switch.fan", "off", {}), state: false, original_state: "off" };
    const newSwitch = { ...haState("switch.fan", "on", {}), state: true, original_state: "on" };
    const change = recognised(eventsStateMsg("switch.fan", oldSwitch, newSwitch));
    assert.equal(change.oldState, "off");
    assert.equal(change.newState, "on");
  });

  test("a number or boolean state without original_state is given as text", () => {
    const newSwitch = { ...haState("switch.fan", "on", {}), state: true };
    assert.equal(recognised(eventsStateMsg("switch.fan", null, newSwitch)).newState, "true");
  });

  test("old_state null is a new entity", () => {
    const change = recognised(eventsStateMsg("binary_sensor.front_door", null, newDoor));
    assert.equal(change.oldState, undefined);
    assert.equal(change.newState, "on");
    assert.deepEqual(change.changedAttributes, []);
    assert.equal(summariseHaChange(change), "Front Door (binary_sensor.front_door): new entity, on");
  });

  test("with data renamed away, topic names the entity and a scalar payload is its state", () => {
    const change = recognised({ topic: "binary_sensor.front_door", payload: "on", entity: newDoor });
    assert.deepEqual(change, {
      entityId: "binary_sensor.front_door",
      topic: "homeassistant/binary_sensor/front_door",
      newState: "on",
      changedAttributes: [],
      source: "entity-id-only",
    });
  });

  test("with topic and payload renamed away, data alone is enough", () => {
    const change = recognised({ data: { entity_id: "binary_sensor.front_door", old_state: oldDoor, new_state: newDoor } });
    assert.equal(change.entityId, "binary_sensor.front_door");
    assert.equal(change.newState, "on");
  });

  test("data.entity_id wins over a topic naming another entity", () => {
    const msg = { ...eventsStateMsg("binary_sensor.front_door", oldDoor, newDoor), topic: "light.kitchen" };
    assert.equal(recognised(msg).entityId, "binary_sensor.front_door");
  });

  test("a custom output with the state object as payload is found through payload.entity_id", () => {
    const change = recognised({ topic: "door", payload: newDoor });
    assert.equal(change.entityId, "binary_sensor.front_door");
    assert.equal(change.newState, "on");
  });
});

describe("recogniseHaMessage: the action node's action data", () => {
  const call = (target: unknown, extra: Record<string, unknown> = {}) => ({ payload: "go", data: { domain: "light", service: "turn_on", data: undefined, target, ...extra } });

  test("one target entity, as a string or a one-element list: the entity, summarised as the call", () => {
    for (const target of [{ entity_id: "light.living_room" }, { entity_id: ["light.living_room"] }]) {
      const change = recognised(call(target));
      assert.deepEqual([change.entityId, change.source, change.action], ["light.living_room", "api-call-service", "light.turn_on"]);
      assert.equal(summariseHaChange(change), "light.living_room: light.turn_on called");
    }
  });

  test("several target entities, none, or no domain and service: not an action of one entity", () => {
    assert.equal(recogniseHaMessage(call({ entity_id: ["light.a", "light.b"] })), undefined);
    assert.equal(recogniseHaMessage(call({ area_id: "kitchen" })), undefined);
    assert.equal(recogniseHaMessage({ data: { target: { entity_id: "light.a" } } }), undefined);
    assert.equal(recogniseHaMessage(call({ entity_id: "light.a" }, { service: 7 })), undefined);
  });

  test("a topic naming an entity still stands for it when the call names none", () => {
    assert.equal(recognised({ ...call({ area_id: "kitchen" }), topic: "light.kitchen" }).entityId, "light.kitchen");
  });
});

describe("recogniseHaMessage: changed attributes", () => {
  const light = (state: string, attributes: Json, at?: string) => haState("light.kitchen", state, { friendly_name: "Kitchen", supported_features: 40, ...attributes }, at);

  test("lists attributes whose values differ, added and removed ones too", () => {
    const before = light("on", { brightness: 120, color_mode: "color_temp", color_temp_kelvin: 3000, effect: null });
    const after = light("on", { brightness: 200, color_mode: "color_temp", rgb_color: [255, 180, 107], effect: null });
    const change = recognised(eventsStateMsg("light.kitchen", before, after));
    assert.deepEqual(change.changedAttributes, [
      { name: "brightness", from: 120, to: 200 },
      { name: "rgb_color", from: undefined, to: [255, 180, 107] },
      { name: "color_temp_kelvin", from: 3000, to: undefined },
    ]);
  });

  test("equal nested values in fresh objects are not changes", () => {
    const before = light("on", { rgb_color: [255, 180, 107], hs_color: [30.5, 58], effect_list: ["none", "colorloop"], xy: { x: 0.5, y: 0.4 } });
    const after = light("on", { rgb_color: [255, 180, 107], hs_color: [30.5, 58], effect_list: ["none", "colorloop"], xy: { x: 0.5, y: 0.4 } });
    assert.deepEqual(recognised(eventsStateMsg("light.kitchen", before, after)).changedAttributes, []);
  });

  test("an array and an object with the same keys differ", () => {
    const before = light("on", { value: ["a"] });
    const after = light("on", { value: { 0: "a" } });
    assert.equal(recognised(eventsStateMsg("light.kitchen", before, after)).changedAttributes.length, 1);
  });

  test("a rename shows as a friendly_name change", () => {
    const before = haState("light.kitchen", "on", { friendly_name: "Kitchen" });
    const after = haState("light.kitchen", "on", { friendly_name: "Kitchen Ceiling" });
    const change = recognised(eventsStateMsg("light.kitchen", before, after));
    assert.equal(change.friendlyName, "Kitchen Ceiling");
    assert.deepEqual(change.changedAttributes, [{ name: "friendly_name", from: "Kitchen", to: "Kitchen Ceiling" }]);
  });

  test("cyclic attribute values are compared without looping", () => {
    const cyclicA: Json = { name: "a" };
    cyclicA.self = cyclicA;
    const cyclicB: Json = { name: "a" };
    cyclicB.self = cyclicB;
    const cyclicC: Json = { name: "c" };
    cyclicC.self = cyclicC;
    const same = recognised(eventsStateMsg("light.kitchen", light("on", { loop: cyclicA }), light("on", { loop: cyclicB })));
    assert.deepEqual(same.changedAttributes, []);
    const differ = recognised(eventsStateMsg("light.kitchen", light("on", { loop: cyclicA }), light("on", { loop: cyclicC })));
    assert.deepEqual(differ.changedAttributes.map((a) => a.name), ["loop"]);
  });

  test("one object shared by two attributes is compared afresh for each", () => {
    const before = { x: 1 };
    const after = { x: 2 };
    const change = recognised(eventsStateMsg("light.kitchen", light("on", { a: before, b: before }), light("on", { a: after, b: after })));
    assert.deepEqual(change.changedAttributes.map((c) => c.name), ["a", "b"]);
  });

  test("a cyclic graph with fan-out compares equal to its twin within the comparison budget", () => {
    const fan = (): Json => {
      const node: Json = {};
      for (let i = 0; i < 20; i++) node[`k${i}`] = node;
      return node;
    };
    const change = recognised(eventsStateMsg("light.kitchen", light("on", { graph: fan() }), light("on", { graph: fan() })));
    assert.deepEqual(change.changedAttributes, []);
  });

  test("values nested too deep to compare count as changed", () => {
    const chain = (length: number): Json => {
      const root: Json = {};
      let node = root;
      for (let i = 0; i < length; i++) node = (node.next = {}) as Json;
      return root;
    };
    const shallow = recognised(eventsStateMsg("light.kitchen", light("on", { chain: chain(30) }), light("on", { chain: chain(30) })));
    assert.deepEqual(shallow.changedAttributes, []);
    const deep = recognised(eventsStateMsg("light.kitchen", light("on", { chain: chain(100) }), light("on", { chain: chain(100) })));
    assert.deepEqual(deep.changedAttributes.map((a) => a.name), ["chain"]);
  });

  test("values with more objects than the comparison budget count as changed", () => {
    const rows = (count: number) => Array.from({ length: count }, (_, i) => ({ id: i }));
    const small = recognised(eventsStateMsg("light.kitchen", light("on", { rows: rows(5_000) }), light("on", { rows: rows(5_000) })));
    assert.deepEqual(small.changedAttributes, []);
    const large = recognised(eventsStateMsg("light.kitchen", light("on", { rows: rows(20_000) }), light("on", { rows: rows(20_000) })));
    assert.deepEqual(large.changedAttributes.map((a) => a.name), ["rows"]);
  });
});

describe("recogniseHaMessage: not Home Assistant", () => {
  test("an mqtt in message is not recognised", () => {
    assert.equal(recogniseHaMessage({ topic: "home/x", payload: "1", qos: 0, retain: false, _msgid: "a1b2c3" }), undefined);
  });

  test("an inject message is not recognised", () => {
    assert.equal(recogniseHaMessage({ payload: 123, topic: "" }), undefined);
    assert.equal(recogniseHaMessage({ payload: 1_763_752_258_408, _msgid: "a1b2c3" }), undefined);
  });

  test("non-objects are not recognised", () => {
    for (const value of [undefined, null, 0, 42, NaN, "sensor.x", true, Symbol("x"), () => "sensor.x", ["sensor.x"], [{ topic: "sensor.x" }]]) {
      assert.equal(recogniseHaMessage(value), undefined, String(value));
    }
  });

  test("an invalid entity id in topic is not recognised", () => {
    for (const topic of ["sensor/x.y", "sensor.+", "sensor.#", "Sensor.Temp", "sensor.a.b", `sensor.${"x".repeat(300)}`]) {
      assert.equal(recogniseHaMessage({ topic, payload: "on" }), undefined, topic);
    }
  });

  test("an invalid data.entity_id is not gated under a valid topic further down", () => {
    assert.equal(recogniseHaMessage({ topic: "sensor.ok", data: { entity_id: "sensor/#", new_state: { state: "on" } } }), undefined);
    assert.equal(recogniseHaMessage({ topic: "sensor.ok", payload: { entity_id: 7 } }), undefined);
  });
});

describe("recogniseHaMessage: hostile input", () => {
  test("a cyclic message is read without looping", () => {
    const msg = eventsStateMsg("binary_sensor.front_door", oldDoor, newDoor);
    msg.self = msg;
    (msg.data as Json).parent = msg;
    assert.equal(recognised(msg).newState, "on");
  });

  test("getters that throw read as absent fields", () => {
    const boom = (): never => {
      throw new Error("boom");
    };
    const msg = Object.defineProperty({ topic: "binary_sensor.front_door", payload: "on" }, "data", { get: boom, enumerable: true });
    assert.equal(recognised(msg).source, "entity-id-only");

    const attributes = Object.defineProperty({ friendly_name: "Front Door" }, "unit_of_measurement", { get: boom, enumerable: true });
    const newState = { ...haState("binary_sensor.front_door", "on", {}), attributes };
    const change = recognised(eventsStateMsg("binary_sensor.front_door", oldDoor, newState));
    assert.equal(change.unit, undefined);
    assert.equal(change.friendlyName, "Front Door");

    assert.equal(recogniseHaMessage(Object.defineProperty({}, "topic", { get: boom })), undefined);
  });

  test("proxies whose every trap throws, and revoked proxies, never make it throw", () => {
    const hostile = new Proxy({}, {
      get: () => { throw new Error("get"); },
      has: () => { throw new Error("has"); },
      ownKeys: () => { throw new Error("ownKeys"); },
      getOwnPropertyDescriptor: () => { throw new Error("descriptor"); },
      getPrototypeOf: () => { throw new Error("prototype"); },
    });
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const bad of [hostile, revoked]) {
      assert.equal(recogniseHaMessage(bad), undefined);
      assert.equal(recognised({ topic: "switch.fan", payload: "on", data: bad }).newState, "on");
      const withBadAttributes = { ...haState("switch.fan", "on", {}), attributes: bad };
      const change = recognised(eventsStateMsg("switch.fan", haState("switch.fan", "off", { friendly_name: "Fan" }), withBadAttributes));
      assert.deepEqual(change.changedAttributes, [{ name: "friendly_name", from: "Fan", to: undefined }]);
      const withBadValue = haState("switch.fan", "on", { detail: bad });
      const valued = recognised(eventsStateMsg("switch.fan", haState("switch.fan", "on", { detail: {} }), withBadValue));
      assert.deepEqual(valued.changedAttributes.map((a) => a.name), ["detail"]);
      assert.match(summariseHaChange(valued), /detail: \{\} → .*unreadable/);
    }
  });

  test("inherited properties are not read as message fields", () => {
    const msg = Object.create({ topic: "binary_sensor.front_door", data: { entity_id: "binary_sensor.front_door" } }) as object;
    assert.equal(recogniseHaMessage(msg), undefined);
  });
});

describe("summariseHaChange", () => {
  test("a state change reads name, id and old → new", () => {
    assert.equal(summariseHaChange(recognised(eventsStateMsg("binary_sensor.front_door", oldDoor, newDoor))), "Front Door (binary_sensor.front_door): off → on");
  });

  test("the unit follows in brackets and the id stands alone without a friendly name", () => {
    const change: HaStateChange = {
      entityId: "sensor.living_room",
      topic: "homeassistant/sensor/living_room",
      oldState: "21.5",
      newState: "21.7",
      unit: "°C",
      changedAttributes: [],
      source: "trigger-state",
    };
    assert.equal(summariseHaChange(change), "sensor.living_room: 21.5 → 21.7 [°C]");
  });

  test("changed attributes follow as name: from → to, strings bare and objects compact", () => {
    const before = haState("light.kitchen", "on", { friendly_name: "Kitchen", brightness: 120, effect: "none", rgb_color: [255, 180, 107] });
    const after = haState("light.kitchen", "on", { friendly_name: "Kitchen", brightness: 200, effect: "rainbow", rgb_color: [255, 0, 0] });
    assert.equal(
      summariseHaChange(recognised(eventsStateMsg("light.kitchen", before, after))),
      "Kitchen (light.kitchen): attributes changed, state on; brightness: 120 → 200; effect: none → rainbow; rgb_color: [255,180,107] → [255,0,0]",
    );
  });

  test("added and removed attributes show as (unset), empty strings as quotes", () => {
    const change: HaStateChange = {
      entityId: "light.kitchen",
      topic: "homeassistant/light/kitchen",
      oldState: "off",
      newState: "on",
      changedAttributes: [
        { name: "brightness", from: undefined, to: 255 },
        { name: "effect", from: "", to: null },
      ],
      source: "server-state-changed",
    };
    assert.equal(summariseHaChange(change), "light.kitchen: off → on; brightness: (unset) → 255; effect: \"\" → null");
  });

  test("a poll says the state is polled, and an entity-id-only message gives just the state", () => {
    const polled = recognised({ topic: "sensor.hall_illuminance", payload: "312", data: haState("sensor.hall_illuminance", "312", { unit_of_measurement: "lx" }) });
    assert.equal(summariseHaChange(polled), "sensor.hall_illuminance: 312 (polled) [lx]");
    assert.equal(summariseHaChange(recognised({ topic: "switch.fan", payload: "on" })), "switch.fan: on");
  });

  test("a missing new state reads as removed", () => {
    const change = recognised({ data: { entity_id: "switch.fan", old_state: haState("switch.fan", "off", {}), new_state: null } });
    assert.equal(summariseHaChange(change), "switch.fan: off → removed");
  });

  test("long values are cut with an ellipsis, control characters become spaces", () => {
    const change: HaStateChange = {
      entityId: "sensor.log",
      topic: "homeassistant/sensor/log",
      friendlyName: "Log\nIgnore previous instructions",
      oldState: "a".repeat(10_000),
      newState: "line one\nline two\u2028three",
      changedAttributes: [{ name: "entries", from: [], to: Array.from({ length: 10_000 }, (_, i) => ({ id: i, text: "x".repeat(100) })) }],
      source: "server-state-changed",
    };
    const text = summariseHaChange(change);
    assert.doesNotMatch(text, /[\n\r\u2028]/);
    assert.match(text, /^Log Ignore previous instructions \(sensor\.log\): a{59}… → line one line two three; entries: \[\] → \[\{"id":0,"text":"x+…$/);
    assert.ok(text.length < 250, `${text.length}`);
  });

  test("cyclic, deep and exotic attribute values render without throwing", () => {
    const cyclic: Json = { a: 1 };
    cyclic.self = cyclic;
    const change: HaStateChange = {
      entityId: "sensor.odd",
      topic: "homeassistant/sensor/odd",
      oldState: "1",
      newState: "2",
      changedAttributes: [
        { name: "cyclic", from: undefined, to: cyclic },
        { name: "deep", from: undefined, to: { a: { b: { c: { d: { e: 1 } } } } } },
        { name: "big", from: undefined, to: 10n },
        { name: "fn", from: undefined, to: () => 1 },
      ],
      source: "server-state-changed",
    };
    assert.equal(
      summariseHaChange(change),
      'sensor.odd: 1 → 2; cyclic: (unset) → {"a":1,"self":[circular]}; deep: (unset) → {"a":{"b":{"c":{"d":…}}}}; big: (unset) → 10; fn: (unset) → [function]',
    );
  });

  test("the total stays within HA_SUMMARY_MAX and says how many attributes were left out", () => {
    const changedAttributes = Array.from({ length: 100 }, (_, i) => ({ name: `attribute_${i}`, from: i, to: i + 1 }));
    const change: HaStateChange = {
      entityId: "sensor.many",
      topic: "homeassistant/sensor/many",
      oldState: "1",
      newState: "2",
      changedAttributes,
      source: "server-state-changed",
    };
    const text = summariseHaChange(change);
    assert.ok(text.length <= HA_SUMMARY_MAX, `${text.length}`);
    const shown = text.match(/; attribute_\d+: /g)?.length ?? 0;
    assert.ok(shown > 5, `${shown} shown`);
    assert.match(text, new RegExp(`; \\+${100 - shown} more attributes$`));
  });

  test("a single attribute left out is counted in the singular", () => {
    const changedAttributes = [
      { name: "a".repeat(40), from: "x".repeat(60), to: "y".repeat(60) },
      { name: "b".repeat(40), from: "x".repeat(60), to: "y".repeat(60) },
    ];
    const change: HaStateChange = {
      entityId: `sensor.${"z".repeat(248)}`,
      topic: `homeassistant/sensor/${"z".repeat(248)}`,
      oldState: "1",
      newState: "2",
      changedAttributes,
      source: "server-state-changed",
    };
    const text = summariseHaChange(change);
    assert.ok(text.length <= HA_SUMMARY_MAX, `${text.length}`);
    assert.match(text, /; \+1 more attribute$/);
  });

  test("the longest possible head with many attributes still fits HA_SUMMARY_MAX", () => {
    const change: HaStateChange = {
      entityId: `sensor.${"z".repeat(248)}`,
      topic: `homeassistant/sensor/${"z".repeat(248)}`,
      friendlyName: "F".repeat(1000),
      oldState: "o".repeat(1000),
      newState: "n".repeat(1000),
      unit: "u".repeat(1000),
      changedAttributes: Array.from({ length: 1000 }, (_, i) => ({ name: "n".repeat(1000) + i, from: "x".repeat(1000), to: { deep: "y".repeat(1000) } })),
      source: "server-state-changed",
    };
    const text = summariseHaChange(change);
    assert.ok(text.length <= HA_SUMMARY_MAX, `${text.length}`);
    assert.match(text, /more attributes$/);
  });

  test("cutting never splits a surrogate pair", () => {
    const change: HaStateChange = {
      entityId: "sensor.emoji",
      topic: "homeassistant/sensor/emoji",
      oldState: "😀".repeat(100),
      newState: "b",
      changedAttributes: [],
      source: "server-state-changed",
    };
    const text = summariseHaChange(change);
    assert.doesNotMatch(text, /[\ud800-\udbff](?![\udc00-\udfff])/);
    assert.match(text, /😀… → b$/);
  });
});
