/**
 * A simulated Home Assistant: the simulated home behind Home Assistant's WebSocket API, as
 * the Home Assistant nodes (node-red-contrib-home-assistant-websocket 0.80) use it. The
 * subset, found by running those nodes against it:
 *
 * - `GET /api/` (REST, bearer token): `{"message":"API running."}`.
 * - `/api/websocket`: `auth_required` → `auth` → `auth_ok` (or `auth_invalid`, then close);
 *   then `supported_features`, `auth/current_user` (an admin), `get_config` (state RUNNING),
 *   `get_states`, `get_services`, `subscribe_entities` (the compressed state format),
 *   `subscribe_events` (all, or one event type; `state_changed` carries the home's
 *   changes), `unsubscribe_events`, `config/{area,device,entity,floor,label}_registry/list`,
 *   `call_service` (the home's actions), `ping` → `pong`.
 * - Anything else is answered with Home Assistant's `unknown_command` error, and counted.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { SERVICES, UnknownService, type SimulatedHome, type StateChange } from "../home.js";
import { ulid, type HaState } from "../home-entities.js";

export const HA_VERSION = "2026.11.3";

export interface SimulatedHomeAssistantOptions {
  /** 0 (the default) for a free port. */
  port?: number;
  /** The long-lived access token clients must present. */
  token: string;
}

interface Command {
  id: number;
  type: string;
  [field: string]: unknown;
}

type Subscription = { kind: "events"; eventType: string | undefined } | { kind: "entities" };

export class SimulatedHomeAssistant {
  /** Commands received after authentication, by type. */
  readonly commands = new Map<string, number>();
  /** Commands the simulator does not know, by type (a node using more of the API shows up here). */
  readonly unknownCommands = new Map<string, number>();
  /** Every `call_service` received, in order. */
  readonly serviceCalls: Array<{ domain: string; service: string; entityIds: string[] }> = [];
  private readonly clients = new Map<WebSocket, Map<number, Subscription>>();
  private readonly stopListening: () => void;

  private constructor(
    private readonly home: SimulatedHome,
    private readonly token: string,
    private readonly server: Server,
    private readonly sockets: WebSocketServer,
    readonly url: string,
  ) {
    this.stopListening = home.onStateChanged((change) => this.broadcast(change));
    sockets.on("connection", (socket) => this.accept(socket));
  }

  static async start(home: SimulatedHome, options: SimulatedHomeAssistantOptions): Promise<SimulatedHomeAssistant> {
    const server = createServer((req, res) => {
      if (req.url === "/api/" && authorised(req, options.token)) {
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"message":"API running."}');
      } else {
        res.writeHead(req.url?.startsWith("/api/") ? 401 : 404).end();
      }
    });
    const sockets = new WebSocketServer({ server, path: "/api/websocket", maxPayload: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    return new SimulatedHomeAssistant(home, options.token, server, sockets, `http://127.0.0.1:${port}`);
  }

  /**
   * True once a client has asked for everything the Home Assistant nodes load at start (config,
   * services, states, state changes). Answers travel in order, so a reply to a later command
   * reaches the nodes after they have processed these.
   */
  get loadedByAClient(): boolean {
    return ["get_config", "get_services", "subscribe_entities", "subscribe_events"].every((type) => this.commands.has(type));
  }

  /** Connected and authenticated clients. */
  get connections(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    this.stopListening();
    for (const socket of this.sockets.clients) socket.terminate();
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    send(socket, { type: "auth_required", ha_version: HA_VERSION });
    socket.on("message", (data) => {
      const message = parse(data.toString());
      if (!message) return;
      if (!this.clients.has(socket)) {
        this.authenticate(socket, message);
        return;
      }
      if (typeof message.id !== "number" || typeof message.type !== "string") return;
      const command = message as Command;
      this.handle(socket, command).catch((err: unknown) => {
        fail(socket, command, "home_assistant_error", err instanceof Error ? err.message : String(err));
      });
    });
    socket.on("close", () => this.clients.delete(socket));
    socket.on("error", () => socket.terminate());
  }

  private authenticate(socket: WebSocket, message: Record<string, unknown>): void {
    if (message.type === "auth" && message.access_token === this.token) {
      this.clients.set(socket, new Map());
      send(socket, { type: "auth_ok", ha_version: HA_VERSION });
      return;
    }
    send(socket, { type: "auth_invalid", message: "Invalid access token or password" });
    socket.close();
  }

  private async handle(socket: WebSocket, command: Command): Promise<void> {
    const subscriptions = this.clients.get(socket)!;
    this.commands.set(command.type, (this.commands.get(command.type) ?? 0) + 1);
    switch (command.type) {
      case "supported_features":
        return reply(socket, command, null);
      case "ping":
        return send(socket, { id: command.id, type: "pong" });
      case "auth/current_user":
        return reply(socket, command, { id: "demo-owner", name: "Demo owner", is_owner: true, is_admin: true, credentials: [], mfa_modules: [] });
      case "get_config":
        return reply(socket, command, CONFIG);
      case "get_states":
        return reply(socket, command, this.home.allStates());
      case "get_services":
        return reply(socket, command, serviceCatalogue());
      case "config/entity_registry/list":
        return reply(socket, command, this.home.allStates().map((s) => registryEntry(s)));
      case "config/area_registry/list":
      case "config/device_registry/list":
      case "config/floor_registry/list":
      case "config/label_registry/list":
        return reply(socket, command, []);
      case "subscribe_events":
        subscriptions.set(command.id, { kind: "events", eventType: typeof command.event_type === "string" ? command.event_type : undefined });
        return reply(socket, command, null);
      case "subscribe_entities":
        subscriptions.set(command.id, { kind: "entities" });
        reply(socket, command, null);
        return send(socket, { id: command.id, type: "event", event: { a: Object.fromEntries(this.home.allStates().map((s) => [s.entity_id, compressed(s)])) } });
      case "unsubscribe_events":
        subscriptions.delete(Number(command.subscription));
        return reply(socket, command, null);
      case "call_service":
        return this.callService(socket, command);
      default:
        this.unknownCommands.set(command.type, (this.unknownCommands.get(command.type) ?? 0) + 1);
        return fail(socket, command, "unknown_command", "Unknown command.");
    }
  }

  private async callService(socket: WebSocket, command: Command): Promise<void> {
    const domain = String(command.domain);
    const service = String(command.service);
    const entityIds = [...entityIdsOf(command.target), ...entityIdsOf(command.service_data)];
    this.serviceCalls.push({ domain, service, entityIds });
    try {
      await this.home.callService(domain, service, entityIds);
    } catch (err) {
      if (err instanceof UnknownService) return fail(socket, command, "service_not_found", err.message);
      throw err;
    }
    reply(socket, command, { context: { id: ulid(new Date()), parent_id: null, user_id: "demo-owner" }, response: null });
  }

  private broadcast(change: StateChange): void {
    const event = {
      event_type: "state_changed",
      data: change,
      origin: "LOCAL",
      time_fired: change.new_state.last_updated,
      context: change.new_state.context,
    };
    for (const [socket, subscriptions] of this.clients) {
      for (const [id, subscription] of subscriptions) {
        if (subscription.kind === "entities") {
          send(socket, { id, type: "event", event: { c: { [change.entity_id]: { "+": compressedChange(change.new_state) } } } });
        } else if (subscription.eventType === undefined || subscription.eventType === "state_changed") {
          send(socket, { id, type: "event", event });
        }
      }
    }
  }
}

const CONFIG = {
  components: ["binary_sensor", "cover", "light", "sensor", "websocket_api"],
  config_dir: "/config",
  config_source: "storage",
  country: "GB",
  currency: "GBP",
  elevation: 0,
  language: "en",
  latitude: 51.5,
  longitude: -0.12,
  location_name: "Demo home",
  radius: 100,
  safe_mode: false,
  state: "RUNNING",
  time_zone: "Europe/London",
  unit_system: { length: "km", mass: "g", temperature: "°C", volume: "L" },
  version: HA_VERSION,
  whitelist_external_dirs: [],
};

function serviceCatalogue(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(SERVICES).map(([domain, actions]) => [
      domain,
      Object.fromEntries(Object.keys(actions).map((service) => [service, { name: service.replace(/_/g, " "), description: "", fields: {}, target: { entity: [{ domain: [domain] }] } }])),
    ]),
  );
}

function registryEntry(state: HaState): Record<string, unknown> {
  return {
    entity_id: state.entity_id,
    id: state.entity_id.replace(".", "_"),
    unique_id: state.entity_id,
    platform: "demo",
    name: null,
    original_name: state.attributes.friendly_name ?? null,
    area_id: null,
    device_id: null,
    disabled_by: null,
    hidden_by: null,
    entity_category: null,
    icon: null,
    labels: [],
  };
}

/** Home Assistant's compressed state (`subscribe_entities`): times in seconds since the epoch. */
function compressed(state: HaState): Record<string, unknown> {
  return { s: state.state, a: state.attributes, c: state.context.id, lc: seconds(state.last_changed) };
}

function compressedChange(state: HaState): Record<string, unknown> {
  return { s: state.state, c: state.context.id, lc: seconds(state.last_changed) };
}

function seconds(haTime: string): number {
  return Date.parse(haTime) / 1000;
}

function entityIdsOf(value: unknown): string[] {
  if (value === null || typeof value !== "object" || !("entity_id" in value)) return [];
  const ids = value.entity_id;
  if (typeof ids === "string") return ids.split(",").map((id) => id.trim()).filter(Boolean);
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
}

function authorised(req: IncomingMessage, token: string): boolean {
  return req.headers.authorization === `Bearer ${token}`;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function reply(socket: WebSocket, command: Command, result: unknown): void {
  send(socket, { id: command.id, type: "result", success: true, result });
}

function fail(socket: WebSocket, command: Command, code: string, message: string): void {
  send(socket, { id: command.id, type: "result", success: false, error: { code, message } });
}

function send(socket: WebSocket, message: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
