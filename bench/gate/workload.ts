/**
 * Inputs for the gate benchmark: a home broker's topic tree, gate lists of a given
 * size drawn from it, and messages to classify. Seeded, so both implementations
 * (and every run) see the same lists and the same messages.
 *
 * Topic tree (about 19,000 topics, the same whatever the list size):
 * - Home Assistant: `homeassistant/<domain>/<object_id>/{state,attributes,config}`
 * - zigbee2mqtt: `zigbee2mqtt/<device>`, `…/availability`, `…/set`, `zigbee2mqtt/bridge/*`
 * - Tasmota: `tele/<device>/{SENSOR,STATE}`, `stat/<device>/POWER`
 * - sessions: `claude/sessions/<name>/{inbox,status}`
 *
 * Patterns: 55 % exact topics, 15 % with `+`, 15 % with `#`, 15 % sender names;
 * a few broad ones (`homeassistant/sensor/#`, `zigbee2mqtt/+/availability`) among
 * mostly device-level ones. Lists: 5 % muted, 20 % admitted, 75 % watched.
 *
 * Messages: 45 % on a topic (or from a sender) some pattern covers, 15 % session
 * inbox messages from a named sender (listed or not), 40 % any topic of the tree
 * without a sender (plain device payloads; mostly unmatched when lists are small).
 * No `$` topics, no invalid patterns and no sender called "unknown": the inputs stay
 * where the two gates agree by design, so they do the same work.
 */
import { Random } from "../lib/random.js";

export interface GateWorkload {
  lists: { admitted: string[]; watched: string[]; muted: string[] };
  messages: Array<{ topic: string; sender: string | undefined }>;
  ownName: string;
  patternMix: { exact: number; plus: number; hash: number; sender: number };
}

const DOMAINS = ["sensor", "binary_sensor", "light", "switch", "climate", "cover", "media_player", "lock", "fan", "camera", "device_tracker", "input_boolean"];
const ROOMS = ["kitchen", "living_room", "bedroom", "bathroom", "hall", "garage", "office", "garden", "attic", "basement", "nursery", "porch"];
const KINDS = ["temperature", "humidity", "power", "energy", "battery", "illuminance", "motion", "door", "ceiling", "lamp", "plug", "valve"];
const PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
const OWN_NAME = "bench";

interface Tree {
  topics: string[];
  haObjects: Array<{ domain: string; object: string }>;
  zigbee: string[];
  tasmota: string[];
  sessions: string[];
  senders: string[];
}

function buildTree(): Tree {
  const haObjects: Tree["haObjects"] = [];
  for (let n = 0; haObjects.length < 4000; n++) {
    for (const domain of DOMAINS) {
      const room = ROOMS[n % ROOMS.length]!;
      const kind = KINDS[(n * 7 + domain.length) % KINDS.length]!;
      haObjects.push({ domain, object: `${room}_${kind}_${Math.floor(n / ROOMS.length)}` });
    }
  }
  const zigbee = Array.from({ length: 1500 }, (_, i) => `${ROOMS[i % ROOMS.length]}_${KINDS[(i * 5) % KINDS.length]}_${i}`);
  const tasmota = Array.from({ length: 500 }, (_, i) => `tasmota_${(0x1a2b3c + i * 977).toString(16).toUpperCase()}`);
  const sessions = Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? `desk-${i}` : i % 3 === 1 ? `laptop_${i}` : `ci-runner-${i}`));
  const topics: string[] = [];
  for (const { domain, object } of haObjects) {
    for (const leaf of ["state", "attributes", "config"]) topics.push(`homeassistant/${domain}/${object}/${leaf}`);
  }
  for (const device of zigbee) topics.push(`zigbee2mqtt/${device}`, `zigbee2mqtt/${device}/availability`, `zigbee2mqtt/${device}/set`);
  topics.push("zigbee2mqtt/bridge/state", "zigbee2mqtt/bridge/logging", "zigbee2mqtt/bridge/devices", "zigbee2mqtt/bridge/event");
  for (const device of tasmota) topics.push(`tele/${device}/SENSOR`, `tele/${device}/STATE`, `stat/${device}/POWER`);
  for (const name of sessions) topics.push(`claude/sessions/${name}/inbox`, `claude/sessions/${name}/status`);
  const senders = [...sessions, ...PEOPLE.flatMap((p) => [p, `${p}-phone`, `${p}_laptop`])];
  return { topics, haObjects, zigbee, tasmota, sessions, senders };
}

const BROAD_PLUS = ["zigbee2mqtt/+/availability", "claude/sessions/+/inbox", "tele/+/SENSOR", "homeassistant/binary_sensor/+/state"];
const BROAD_HASH = ["homeassistant/sensor/#", "zigbee2mqtt/bridge/#", "stat/#", "homeassistant/lock/#"];

function plusPattern(tree: Tree, rng: Random): string {
  if (rng.chance(0.002)) return rng.pick(BROAD_PLUS);
  switch (rng.int(4)) {
    case 0: {
      const { object } = rng.pick(tree.haObjects);
      return `homeassistant/+/${object}/state`;
    }
    case 1: {
      const { domain, object } = rng.pick(tree.haObjects);
      return `homeassistant/${domain}/${object}/+`;
    }
    case 2:
      return `zigbee2mqtt/${rng.pick(tree.zigbee)}/+`;
    default:
      return rng.chance(0.5) ? `+/${rng.pick(tree.tasmota)}/POWER` : `claude/sessions/${rng.pick(tree.sessions)}/+`;
  }
}

function hashPattern(tree: Tree, rng: Random): string {
  if (rng.chance(0.002)) return rng.pick(BROAD_HASH);
  switch (rng.int(3)) {
    case 0: {
      const { domain, object } = rng.pick(tree.haObjects);
      return `homeassistant/${domain}/${object}/#`;
    }
    case 1:
      return `zigbee2mqtt/${rng.pick(tree.zigbee)}/#`;
    default:
      return rng.chance(0.5) ? `tele/${rng.pick(tree.tasmota)}/#` : `claude/sessions/${rng.pick(tree.sessions)}/#`;
  }
}

/** A topic the pattern covers (wildcard levels filled with plausible words). */
function topicFor(pattern: string, rng: Random): string {
  const levels = pattern.split("/");
  const out: string[] = [];
  for (const level of levels) {
    if (level === "+") out.push(rng.pick([...KINDS, ...ROOMS, "state", "set", "availability"]));
    else if (level === "#") {
      for (let n = rng.int(3); n > 0; n--) out.push(rng.pick(["state", "set", "attributes", "power", "linkquality"]));
    } else out.push(level);
  }
  return out.join("/");
}

export function gateWorkload(patternCount: number, messageCount: number, seed = 20_240_601): GateWorkload {
  const tree = buildTree();
  const rng = new Random(seed + patternCount);
  const seen = new Set<string>();
  const mix = { exact: 0, plus: 0, hash: 0, sender: 0 };
  const lists: GateWorkload["lists"] = { admitted: [], watched: [], muted: [] };
  const senderPatterns = new Set<string>();
  const all: string[] = [];
  while (all.length < patternCount) {
    const roll = rng.next();
    const kind = roll < 0.55 ? "exact" : roll < 0.7 ? "plus" : roll < 0.85 ? "hash" : "sender";
    const pattern =
      kind === "exact" ? rng.pick(tree.topics) : kind === "plus" ? plusPattern(tree, rng) : kind === "hash" ? hashPattern(tree, rng) : rng.pick(tree.senders);
    if (seen.has(pattern)) continue;
    seen.add(pattern);
    mix[kind]++;
    all.push(pattern);
    if (kind === "sender") senderPatterns.add(pattern);
    const list = rng.next();
    (list < 0.05 ? lists.muted : list < 0.25 ? lists.admitted : lists.watched).push(pattern);
  }

  const messages: GateWorkload["messages"] = [];
  const ownInbox = `claude/sessions/${OWN_NAME}/inbox`;
  while (messages.length < messageCount) {
    const roll = rng.next();
    if (roll < 0.45) {
      const pattern = rng.pick(all);
      if (senderPatterns.has(pattern)) messages.push({ topic: ownInbox, sender: pattern });
      else messages.push({ topic: topicFor(pattern, rng), sender: undefined });
    } else if (roll < 0.6) {
      messages.push({ topic: `claude/sessions/${rng.pick(tree.sessions)}/inbox`, sender: rng.pick(tree.senders) });
    } else {
      messages.push({ topic: rng.pick(tree.topics), sender: undefined });
    }
  }
  return { lists, messages, ownName: OWN_NAME, patternMix: mix };
}
