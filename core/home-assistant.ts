/**
 * Home Assistant messages in Node-RED flows (from node-red-contrib-home-assistant-websocket),
 * recognised by shape, gated as topics and summarised in one line for Claude.
 *
 * Rules:
 * - An entity id is `<domain>.<object_id>`: two non-empty slugs of lowercase `[a-z0-9_]` joined by
 *   exactly one dot, at most 255 characters (Home Assistant's own limit). Its topic is
 *   `homeassistant/<domain>/<object_id>`, so it never holds `/`, `+` or `#` beyond those levels.
 * - The entity id is looked for at `data.entity_id`, `data.event.entity_id`, `payload.entity_id`,
 *   the one entity of an action's `data.target.entity_id` (the action node's "action data"
 *   output: `{domain, service, data, target}`), then `topic`. The first of these that is set decides: when it is not a valid entity id the
 *   message is not recognised, rather than gated under a name found further down.
 * - States come from the object holding the id: its `event.old_state`/`event.new_state` (a whole
 *   event), its `old_state`/`new_state` (event data), or the object itself when it has a `state`
 *   (poll-state). Without a new state object, a scalar `payload` is the new state, as it is in the
 *   default output of every state node.
 * - A state is `original_state` when that is a string (the deprecated State Type turns `state` into
 *   a number or boolean), else `state` as text.
 * - Changed attributes are listed only when both states are there (a new entity or a poll lists
 *   none). `friendly_name` is kept: it shows up only when it really changed, i.e. on a rename.
 * - Whatever cannot be read (a throwing getter, a revoked proxy) counts as absent; values too deep
 *   or too large to compare within fixed bounds count as changed. Recognising never throws.
 * - A summary is one line: control characters become spaces, each name and value is cut short, the
 *   whole stays within HA_SUMMARY_MAX characters, and attributes left out are counted.
 */

export interface HaStateChange {
  entityId: string;
  /** `homeassistant/<domain>/<object_id>` */
  topic: string;
  friendlyName?: string;
  /** Undefined when `old_state` is null (a new entity) or there is no old state (poll-state). */
  oldState?: string;
  newState?: string;
  unit?: string;
  changedAttributes: Array<{ name: string; from?: unknown; to?: unknown }>;
  lastChanged?: string;
  /** `<domain>.<service>` of an action node's call. */
  action?: string;
  /** The node whose default output has this shape; `entity-id-only` when just `topic` names the entity. */
  source: "server-state-changed" | "trigger-state" | "poll-state" | "server-events" | "api-call-service" | "entity-id-only";
}

export const HA_SUMMARY_MAX = 500;

const ENTITY_ID_MAX = 255;
const ENTITY_ID = /^[a-z0-9_]+\.[a-z0-9_]+$/;
const NAME_MAX = 60;
const STATE_MAX = 60;
const UNIT_MAX = 16;
const ATTRIBUTE_NAME_MAX = 40;
const ATTRIBUTE_VALUE_MAX = 60;
const RENDER_DEPTH_MAX = 4;
// Attribute values are shallow JSON; past these bounds (per message) a value counts as changed.
const COMPARE_BUDGET = 10_000;
const COMPARE_DEPTH_MAX = 32;

/** True for a valid HA entity id: `<domain>.<object_id>`, lowercase [a-z0-9_] slugs, exactly one dot. */
export function isEntityId(value: unknown): value is string {
  return typeof value === "string" && value.length <= ENTITY_ID_MAX && ENTITY_ID.test(value);
}

/** "binary_sensor.front_door" → "homeassistant/binary_sensor/front_door" (split at the dot). */
export function entityTopic(entityId: string): string {
  if (!isEntityId(entityId)) {
    throw new RangeError(
      `"${short(String(entityId), NAME_MAX)}" is not a Home Assistant entity id; ` +
        `expected <domain>.<object_id> in lowercase a-z, 0-9 and _, at most ${ENTITY_ID_MAX} characters`,
    );
  }
  const dot = entityId.indexOf(".");
  return `homeassistant/${entityId.slice(0, dot)}/${entityId.slice(dot + 1)}`;
}

/**
 * Recognise a flow message as a Home Assistant message by its shape (see the rules above).
 * Returns undefined for anything else, e.g. an `mqtt in` or inject message. Never throws.
 */
export function recogniseHaMessage(msg: unknown): HaStateChange | undefined {
  const data = prop(msg, "data");
  const event = prop(data, "event");
  const payload = prop(msg, "payload");
  const candidates: Array<[holder: unknown, id: unknown, source: HaStateChange["source"] | undefined]> = [
    [data, prop(data, "entity_id"), undefined],
    [event, prop(event, "entity_id"), "trigger-state"],
    [payload, prop(payload, "entity_id"), "server-events"],
    [data, actionEntityId(data), "api-call-service"],
    [undefined, prop(msg, "topic"), "entity-id-only"],
  ];
  const found = candidates.find(([, id]) => id !== undefined && id !== null);
  const entityId = found?.[1];
  if (!found || !isEntityId(entityId)) return undefined;

  const states = statesOf(found[0]);
  let source = found[2];
  if (source === undefined) {
    const byShape = { event: "trigger-state", data: "server-state-changed", state: "poll-state" } as const;
    source = states ? byShape[states.shape] : "entity-id-only";
  }
  const oldObject = states?.old;
  const newObject = states?.new;
  const newState = stateText(newObject) ?? (newObject === undefined ? scalarText(payload) : undefined);
  const attributesOf = (key: string): unknown => prop(prop(newObject, "attributes"), key) ?? prop(prop(oldObject, "attributes"), key);

  const change: HaStateChange = {
    entityId,
    topic: entityTopic(entityId),
    changedAttributes: oldObject !== undefined && newObject !== undefined ? diffAttributes(oldObject, newObject) : [],
    source,
  };
  setText(change, "friendlyName", attributesOf("friendly_name"));
  setText(change, "oldState", stateText(oldObject));
  setText(change, "newState", newState);
  setText(change, "unit", attributesOf("unit_of_measurement"));
  setText(change, "lastChanged", prop(newObject, "last_changed"));
  if (source === "api-call-service") change.action = `${String(prop(data, "domain"))}.${String(prop(data, "service"))}`;
  return change;
}

/** One short line for Claude, e.g. `Front Door (binary_sensor.front_door): off → on`. */
export function summariseHaChange(change: HaStateChange): string {
  const name = change.friendlyName ? `${short(change.friendlyName, NAME_MAX)} (${change.entityId})` : change.entityId;
  const { oldState, newState, changedAttributes } = change;
  const from = oldState === undefined ? undefined : renderState(oldState);
  const to = newState === undefined ? undefined : renderState(newState);
  let what: string;
  if (change.action !== undefined) what = `${short(change.action, NAME_MAX)} called`;
  else if (to === undefined && from === undefined) what = "no state in message";
  else if (to === undefined) what = `${from} → removed`;
  else if (change.source === "poll-state") what = `${to} (polled)`;
  else if (change.source === "entity-id-only") what = to;
  else if (from === undefined) what = `new entity, ${to}`;
  else if (oldState !== newState) what = `${from} → ${to}`;
  else if (changedAttributes.length > 0) what = `attributes changed, state ${to}`;
  else what = `${to} (unchanged)`;
  const unit = change.unit ? ` [${short(change.unit, UNIT_MAX)}]` : "";

  let text = `${name}: ${what}${unit}`;
  for (let i = 0; i < changedAttributes.length; i++) {
    const { name: attribute, from: before, to: after } = changedAttributes[i]!;
    const part = `; ${short(attribute, ATTRIBUTE_NAME_MAX)}: ${renderValue(before)} → ${renderValue(after)}`;
    const left = changedAttributes.length - i;
    const reserve = left > 1 ? moreAttributes(left - 1).length : 0;
    if (text.length + part.length + reserve > HA_SUMMARY_MAX) {
      text += moreAttributes(left);
      break;
    }
    text += part;
  }
  return clip(text, HA_SUMMARY_MAX);
}

type Shape = "event" | "data" | "state";

/** The entity of an action node's call data `{domain, service, target: {entity_id}}`, when it names exactly one. */
function actionEntityId(data: unknown): unknown {
  if (typeof prop(data, "domain") !== "string" || typeof prop(data, "service") !== "string") return undefined;
  const ids = prop(prop(data, "target"), "entity_id");
  if (Array.isArray(ids)) return ids.length === 1 ? prop(ids, "0", true) : undefined;
  return ids;
}

/** Old and new state objects of an id's holder, and which shape the holder has. */
function statesOf(holder: unknown): { shape: Shape; old?: unknown; new?: unknown } | undefined {
  const event = prop(holder, "event");
  if (isRecord(event)) return { shape: "event", old: stateObject(prop(event, "old_state")), new: stateObject(prop(event, "new_state")) };
  const old = prop(holder, "old_state");
  const next = prop(holder, "new_state");
  if (old !== undefined || next !== undefined) return { shape: "data", old: stateObject(old), new: stateObject(next) };
  if (prop(holder, "state") !== undefined || prop(holder, "original_state") !== undefined) return { shape: "state", new: holder };
  return undefined;
}

function stateObject(value: unknown): unknown {
  return isRecord(value) ? value : undefined;
}

function stateText(stateObject: unknown): string | undefined {
  const original = prop(stateObject, "original_state");
  return typeof original === "string" ? original : scalarText(prop(stateObject, "state"));
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return String(value);
  return undefined;
}

function setText<K extends "friendlyName" | "oldState" | "newState" | "unit" | "lastChanged">(
  change: HaStateChange,
  key: K,
  value: unknown,
): void {
  if (typeof value === "string") change[key] = value;
}

function diffAttributes(oldObject: unknown, newObject: unknown): HaStateChange["changedAttributes"] {
  const before = prop(oldObject, "attributes");
  const after = prop(newObject, "attributes");
  const same = comparer();
  const names = new Set([...keysOf(after), ...keysOf(before)]);
  const changed: HaStateChange["changedAttributes"] = [];
  for (const name of names) {
    const from = prop(before, name);
    const to = prop(after, name);
    if (!same(from, to)) changed.push({ name, from, to });
  }
  return changed;
}

/** Deep equality for JSON-like values, safe on cycles, bounded by COMPARE_BUDGET and COMPARE_DEPTH_MAX. */
function comparer(): (a: unknown, b: unknown) => boolean {
  let budget = COMPARE_BUDGET;
  let visited = new Map<object, Set<object>>();
  const walk = (a: unknown, b: unknown, depth: number): boolean => {
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (--budget < 0 || depth > COMPARE_DEPTH_MAX) return false;
    // A pair met before in this call is assumed equal: if it is not, its first comparison says so.
    const pairs = visited.get(a) ?? new Set<object>();
    if (pairs.has(b)) return true;
    visited.set(a, pairs.add(b));
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    if (keysA.length !== keysB.length) return false;
    const inB = new Set(keysB);
    return keysA.every((key) => inB.has(key) && walk(prop(a, key, true), prop(b, key, true), depth + 1));
  };
  return (a, b) => {
    visited = new Map();
    try {
      return walk(a, b, 0);
    } catch {
      return false; // a proxy or getter that throws mid-way: report the attribute as changed
    }
  };
}

/** Renders a value compactly (strings bare at the top, JSON-like inside), cut to ATTRIBUTE_VALUE_MAX. */
function renderValue(value: unknown): string {
  if (value === undefined) return "(unset)";
  if (typeof value === "string") return renderState(value, ATTRIBUTE_VALUE_MAX);
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string): void => {
    parts.push(text);
    length += text.length;
  };
  const path = new Set<object>();
  const walk = (v: unknown, depth: number): void => {
    if (length > ATTRIBUTE_VALUE_MAX) return;
    if (typeof v === "string") return emit(JSON.stringify(v.slice(0, ATTRIBUTE_VALUE_MAX + 1)));
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return emit(String(v));
    if (v === null || v === undefined) return emit(String(v));
    if (typeof v !== "object") return emit(`[${typeof v}]`);
    if (path.has(v)) return emit("[circular]");
    if (depth >= RENDER_DEPTH_MAX) return emit("…");
    path.add(v);
    if (Array.isArray(v)) {
      emit("[");
      for (let i = 0; i < v.length && length <= ATTRIBUTE_VALUE_MAX; i++) {
        if (i > 0) emit(",");
        walk(prop(v, String(i), true), depth + 1);
      }
      emit("]");
    } else {
      emit("{");
      let first = true;
      for (const key of Object.keys(v)) {
        if (length > ATTRIBUTE_VALUE_MAX) break;
        emit(`${first ? "" : ","}${JSON.stringify(key.slice(0, ATTRIBUTE_NAME_MAX))}:`);
        first = false;
        walk(prop(v, key, true), depth + 1);
      }
      emit("}");
    }
    path.delete(v);
  };
  try {
    walk(value, 0);
  } catch {
    emit("[unreadable]"); // a proxy whose traps throw; what was rendered so far stays
  }
  return clip(oneLine(parts.join("")), ATTRIBUTE_VALUE_MAX);
}

function renderState(state: string, max = STATE_MAX): string {
  return state === "" ? '""' : short(state, max);
}

function moreAttributes(count: number): string {
  return `; +${count} more attribute${count === 1 ? "" : "s"}`;
}

/** `text` on one line, cut to `max` characters; only `max + 1` of them are ever scanned. */
function short(text: string, max: number): string {
  return clip(oneLine(text.slice(0, max + 1)), max);
}

// One space per character, so that a cut text stays longer than `max` and gets its "…".
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, " ");
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // don't split a surrogate pair
  return `${text.slice(0, end)}…`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  try {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false; // Array.isArray throws on a revoked proxy
  }
}

/**
 * `value[key]` for an own property of a non-array object (or, with `arrays`, of an array too); undefined when there is no
 * such object or reading it throws, so hostile messages read as absent fields.
 */
function prop(value: unknown, key: string, arrays = false): unknown {
  if (typeof value !== "object" || value === null || !(arrays || isRecord(value))) return undefined;
  try {
    return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

function keysOf(value: unknown): string[] {
  try {
    return isRecord(value) ? Object.keys(value) : [];
  } catch {
    return [];
  }
}
