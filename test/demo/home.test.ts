import { test } from "node:test";
import assert from "node:assert/strict";
import { haState, haTimestamp, ulid, ENTITIES } from "../../demo/home-entities.js";
import { lightCommand, statestreamTopic } from "../../demo/home.js";
import { recogniseHaMessage } from "../../core/home-assistant.js";

test("the light understands ON and OFF in any case, bare or as {\"state\": …}, and nothing else", () => {
  assert.equal(lightCommand("ON"), "on");
  assert.equal(lightCommand(" off \n"), "off");
  assert.equal(lightCommand('{"state":"On"}'), "on");
  assert.equal(lightCommand("toggle"), undefined);
  assert.equal(lightCommand('{"state":1}'), undefined);
  assert.equal(lightCommand('{"sender":"home","content":"on"}'), undefined);
  assert.equal(lightCommand("null"), undefined);
});

test("statestream topics: homeassistant/<domain>/<object_id>/state", () => {
  assert.equal(statestreamTopic("binary_sensor.front_door"), "homeassistant/binary_sensor/front_door/state");
});

test("state objects look like Home Assistant's: microsecond UTC timestamps with +00:00, ULID context ids", () => {
  const at = new Date("2026-11-24T18:02:11.482Z");
  assert.equal(haTimestamp(at), "2026-11-24T18:02:11.482000+00:00");
  const id = ulid(at);
  assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.equal(id.slice(0, 10), "01M87BHWMT", "the first ten characters encode the time");
  const door = ENTITIES.find((e) => e.entityId === "binary_sensor.front_door")!;
  const state = haState(door, "on", at);
  assert.deepEqual(
    { ...state, context: { ...state.context, id: "…" } },
    {
      entity_id: "binary_sensor.front_door",
      state: "on",
      attributes: { device_class: "door", friendly_name: "Front door" },
      last_changed: "2026-11-24T18:02:11.482000+00:00",
      last_reported: "2026-11-24T18:02:11.482000+00:00",
      last_updated: "2026-11-24T18:02:11.482000+00:00",
      context: { id: "…", parent_id: null, user_id: null },
    },
  );
});

test("what the example flow makes of a simulated event is recognised as an events: state message", () => {
  const door = ENTITIES.find((e) => e.entityId === "binary_sensor.front_door")!;
  const data = { entity_id: door.entityId, old_state: haState(door, "off", new Date()), new_state: haState(door, "on", new Date()) };
  const change = recogniseHaMessage({ topic: data.entity_id, payload: "on", data });
  assert.equal(change?.source, "server-state-changed");
  assert.equal(change?.topic, "homeassistant/binary_sensor/front_door");
});
