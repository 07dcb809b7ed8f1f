/**
 * The simulated home's entities and their Home Assistant state objects.
 *
 * A state object is what Home Assistant keeps for an entity: `state` always a string,
 * `attributes` with `friendly_name` (and unit, device class), UTC timestamps with
 * `+00:00` and microseconds, and a context whose id is a ULID.
 */
import { randomBytes } from "node:crypto";

export interface HaState {
  entity_id: string;
  state: string;
  attributes: Record<string, string>;
  last_changed: string;
  last_reported: string;
  last_updated: string;
  context: { id: string; parent_id: null; user_id: null };
}

export interface EntityDef {
  entityId: string;
  initial: string;
  attributes: Record<string, string>;
}

export const ENTITIES: readonly EntityDef[] = [
  { entityId: "binary_sensor.front_door", initial: "off", attributes: { device_class: "door", friendly_name: "Front door" } },
  { entityId: "binary_sensor.hallway_motion", initial: "off", attributes: { device_class: "motion", friendly_name: "Hallway motion" } },
  { entityId: "sensor.wifi_signal", initial: "-61", attributes: { state_class: "measurement", unit_of_measurement: "dBm", device_class: "signal_strength", friendly_name: "Wi-Fi signal" } },
  { entityId: "sensor.living_room_temperature", initial: "21.4", attributes: temperature("Living room temperature") },
  { entityId: "sensor.bedroom_temperature", initial: "19.2", attributes: temperature("Bedroom temperature") },
  { entityId: "sensor.outdoor_temperature", initial: "7.8", attributes: temperature("Outdoor temperature") },
  { entityId: "light.living_room", initial: "off", attributes: { color_mode: "brightness", friendly_name: "Living room light" } },
  { entityId: "cover.garage_door", initial: "closed", attributes: { device_class: "garage", friendly_name: "Garage door" } },
];

function temperature(name: string): Record<string, string> {
  return { state_class: "measurement", unit_of_measurement: "°C", device_class: "temperature", friendly_name: name };
}

export function haState(def: EntityDef, state: string, at: Date): HaState {
  const when = haTimestamp(at);
  return {
    entity_id: def.entityId,
    state,
    attributes: { ...def.attributes },
    last_changed: when,
    last_reported: when,
    last_updated: when,
    context: { id: ulid(at), parent_id: null, user_id: null },
  };
}

/** `2026-11-24T18:02:11.482000+00:00`: Home Assistant's form (microseconds, explicit offset). */
export function haTimestamp(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID: 48-bit millisecond time then 80 random bits, in Crockford base 32. */
export function ulid(at: Date): string {
  let time = "";
  let ms = at.getTime();
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[ms % 32]! + time;
    ms = Math.floor(ms / 32);
  }
  const random = [...randomBytes(16)].map((b) => CROCKFORD[b % 32]).join("");
  return time + random;
}
