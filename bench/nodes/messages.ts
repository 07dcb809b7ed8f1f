/**
 * Flow messages for the claude-gate benchmark, as the nodes in front of a gate send
 * them: half from an `mqtt in` node (a topic of the home tree and a parsed JSON
 * payload), half from a Home Assistant `events: state` node (entity id as topic, the
 * new state as payload, old and new state objects in `msg.data`). Seeded.
 */
import { Random } from "../lib/random.js";
import { gateWorkload } from "../gate/workload.js";

export type FlowMessage = Record<string, unknown>;

export interface GateMessages {
  lists: { admitted: string[]; watched: string[]; muted: string[] };
  /** Makes a fresh copy of message `i` (a flow passes each message object on). */
  message(i: number): FlowMessage;
  count: number;
}

function haState(entityId: string, state: string, friendlyName: string, at: string): Record<string, unknown> {
  return {
    entity_id: entityId,
    state,
    attributes: { unit_of_measurement: "°C", device_class: "temperature", friendly_name: friendlyName },
    last_changed: at,
    last_updated: at,
    context: { id: "01JD2XQ7Z3W4N5P6R7S8T9V0WX", parent_id: null, user_id: null },
  };
}

export function gateMessages(patternCount: number, count: number): GateMessages {
  const workload = gateWorkload(patternCount, count);
  const rng = new Random(7);
  const templates: Array<() => FlowMessage> = workload.messages.map((m, i) => {
    const ha = /^homeassistant\/([a-z_]+)\/([a-z0-9_]+)\/state$/.exec(m.topic);
    if (ha && i % 2 === 0) {
      const entityId = `${ha[1]}.${ha[2]}`;
      const at = "2026-11-21T19:10:58.408123+00:00";
      const from = (18 + rng.int(80) / 10).toFixed(1);
      const to = (18 + rng.int(80) / 10).toFixed(1);
      return () => ({
        topic: entityId,
        payload: to,
        data: {
          entity_id: entityId,
          old_state: haState(entityId, from, `Probe ${ha[2]}`, at),
          new_state: haState(entityId, to, `Probe ${ha[2]}`, at),
        },
      });
    }
    const payload = m.sender
      ? { sender: m.sender, ts: "2026-11-21T19:10:58.408Z", content: `hello from ${m.sender}` }
      : { state: rng.chance(0.5) ? "ON" : "OFF", brightness: rng.int(255), linkquality: rng.int(120) };
    return () => ({ topic: m.topic, payload: { ...payload }, qos: 0, retain: false });
  });
  return { lists: workload.lists, message: (i) => templates[i % templates.length]!(), count: templates.length };
}
