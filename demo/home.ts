/**
 * The simulated home: its entities' states, what Home Assistant would put on MQTT, and the
 * actions Home Assistant would run on it.
 *
 * - Every state change goes out like Home Assistant's MQTT statestream:
 *   `homeassistant/<domain>/<object_id>/state`, the bare state, retained (so a flow
 *   deployed later still learns the current state), and to `onStateChanged` listeners as
 *   Home Assistant's event data `{entity_id, old_state, new_state}` (the simulated Home
 *   Assistant server sends it to the Home Assistant nodes).
 * - `callService` runs an action: `light.turn_on` / `turn_off` / `toggle`,
 *   `cover.open_cover` / `close_cover` / `toggle`.
 * - The light also obeys `ON` / `OFF` on `home/light/living_room/set` (any case, or
 *   `{"state":"ON"}`) and reports its new state; anything else is ignored and logged.
 * - `live()` starts the household's rhythm (temperatures drift, the Wi-Fi signal
 *   jitters, someone walks past, the front door opens now and then, the garage too).
 */
import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { ENTITIES, haState, type EntityDef, type HaState } from "./home-entities.js";

export const LIGHT_SET_TOPIC = "home/light/living_room/set";

export function statestreamTopic(entityId: string): string {
  const dot = entityId.indexOf(".");
  return `homeassistant/${entityId.slice(0, dot)}/${entityId.slice(dot + 1)}/state`;
}

export type HomeLog = (line: string) => void;

/** Home Assistant's `state_changed` event data. */
export interface StateChange {
  entity_id: string;
  old_state: HaState | null;
  new_state: HaState;
}

/** The actions the simulated home runs: domain → action → the state it sets (or a toggle). */
export const SERVICES: Readonly<Record<string, Readonly<Record<string, (current: string | undefined) => string>>>> = {
  light: { turn_on: () => "on", turn_off: () => "off", toggle: (current) => (current === "on" ? "off" : "on") },
  cover: { open_cover: () => "open", close_cover: () => "closed", toggle: (current) => (current === "open" ? "closed" : "open") },
};

export class UnknownService extends Error {}

export class SimulatedHome {
  private readonly states = new Map<string, HaState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<(change: StateChange) => void>();

  private constructor(
    private readonly client: MqttClient,
    private readonly log: HomeLog,
  ) {}

  static async start(brokerUrl: string, log: HomeLog = () => undefined): Promise<SimulatedHome> {
    const client = await mqtt.connectAsync(brokerUrl, { clientId: `demo-home-${randomUUID().slice(0, 8)}`, reconnectPeriod: 1000 });
    const home = new SimulatedHome(client, log);
    client.on("message", (topic, payload) => {
      if (topic === LIGHT_SET_TOPIC) home.run(() => home.onLightCommand(payload.toString()));
    });
    await client.subscribeAsync(LIGHT_SET_TOPIC, { qos: 1 });
    const now = new Date();
    for (const def of ENTITIES) {
      home.states.set(def.entityId, haState(def, def.initial, now));
      await home.publishState(def.entityId, def.initial);
    }
    return home;
  }

  state(entityId: string): string | undefined {
    return this.states.get(entityId)?.state;
  }

  /** Every entity's state object, as Home Assistant's `get_states` lists them. */
  allStates(): HaState[] {
    return [...this.states.values()];
  }

  /** Calls `listener` with every state change from now on; returns the way to stop. */
  onStateChanged(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets an entity's state and tells MQTT and the state-change listeners. */
  async set(entityId: string, state: string): Promise<void> {
    const def = entity(entityId);
    const old = this.states.get(entityId) ?? null;
    const next = haState(def, state, new Date());
    this.states.set(entityId, next);
    for (const listener of this.listeners) listener({ entity_id: entityId, old_state: old, new_state: next });
    await this.publishState(entityId, state);
  }

  /** Runs `domain.service` on each entity of that domain among `entityIds`; resolves with the ids it changed. */
  async callService(domain: string, service: string, entityIds: readonly string[]): Promise<string[]> {
    const action = SERVICES[domain]?.[service];
    if (!action) throw new UnknownService(`Action ${domain}.${service} not found.`);
    const targets = entityIds.filter((id) => id.startsWith(`${domain}.`) && this.states.has(id));
    for (const id of targets) {
      const next = action(this.state(id));
      this.log(`${service.replace(/_/g, " ")}: ${id} → ${next}`);
      await this.set(id, next);
    }
    return targets;
  }

  async openFrontDoor(): Promise<void> {
    this.log("the front door opens");
    await this.set("binary_sensor.front_door", "on");
  }

  async closeFrontDoor(): Promise<void> {
    await this.set("binary_sensor.front_door", "off");
  }

  /** A new reading for every temperature sensor; resolves with them, by entity id. */
  async readTemperatures(): Promise<Record<string, string>> {
    const readings: Record<string, string> = {};
    for (const def of ENTITIES.filter((e) => e.attributes.device_class === "temperature")) {
      const base = Number(def.initial);
      const current = Number(this.state(def.entityId) ?? def.initial);
      // A random walk pulled back towards the starting value, so hours of demo stay plausible.
      let reading = (current + (base - current) * 0.1 + (Math.random() - 0.5) * 0.6).toFixed(1);
      // A sensor reports a new reading; Home Assistant sends no state change for an unchanged one.
      if (reading === current.toFixed(1)) reading = (current + (current > base ? -0.1 : 0.1)).toFixed(1);
      readings[def.entityId] = reading;
      await this.set(def.entityId, readings[def.entityId]!);
    }
    return readings;
  }

  /** The household's rhythm, until `stop()`. */
  live(): void {
    this.every(15_000, () => this.readTemperatures());
    this.every(3_000, () => this.set("sensor.wifi_signal", String(-55 - Math.floor(Math.random() * 15))));
    this.every(25_000, async () => {
      await this.set("binary_sensor.hallway_motion", "on");
      this.after(10_000, () => this.set("binary_sensor.hallway_motion", "off"));
    });
    const doorCycle = async (): Promise<void> => {
      await this.openFrontDoor();
      this.after(8_000, () => this.closeFrontDoor());
    };
    this.after(10_000, doorCycle);
    this.every(60_000, doorCycle);
    this.every(120_000, async () => {
      const open = this.state("cover.garage_door") === "open";
      this.log(`the garage door ${open ? "closes" : "opens"}`);
      await this.set("cover.garage_door", open ? "closed" : "open");
    });
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer); // intervals too: Node's timers share one clear
    this.timers.clear();
    this.listeners.clear();
    await this.client.endAsync();
  }

  private async onLightCommand(text: string): Promise<void> {
    const command = lightCommand(text);
    if (!command) {
      this.log(`the light ignores ${JSON.stringify(text.slice(0, 80))} (it understands ON and OFF)`);
      return;
    }
    this.log(`the living room light turns ${command}`);
    await this.set("light.living_room", command);
  }

  private async publishState(entityId: string, state: string): Promise<void> {
    await this.client.publishAsync(statestreamTopic(entityId), state, { qos: 1, retain: true });
  }

  private every(ms: number, task: () => Promise<unknown>): void {
    this.timers.add(setInterval(() => this.run(task), ms));
  }

  private after(ms: number, task: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.run(task);
    }, ms);
    this.timers.add(timer);
  }

  private run(task: () => Promise<unknown>): void {
    task().catch((err: unknown) => this.log(`simulation step failed: ${err instanceof Error ? err.message : String(err)}`));
  }
}

/** `on` / `off` for a command the light understands, else undefined. */
export function lightCommand(text: string): "on" | "off" | undefined {
  let value: unknown = text.trim();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object" && "state" in parsed) value = parsed.state;
  } catch {
    // Not JSON: the bare command.
  }
  if (typeof value !== "string") return undefined;
  const lower = value.trim().toLowerCase();
  return lower === "on" || lower === "off" ? lower : undefined;
}

function entity(entityId: string): EntityDef {
  const def = ENTITIES.find((e) => e.entityId === entityId);
  if (!def) throw new Error(`the simulated home has no entity ${entityId}`);
  return def;
}
