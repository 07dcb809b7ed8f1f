/**
 * The simulated Home Assistant as any WebSocket client sees it: the auth phase, results and
 * errors in Home Assistant's shape, state changes to subscribers, and the REST check.
 * (The Home Assistant nodes themselves run against it in test/nodes and test/examples.)
 */
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { startSimulatedHomeAssistant, type SimulatedHomeAssistantStack } from "../helpers/home-assistant.js";
import { HA_VERSION } from "../../demo/home-assistant/server.js";

type Message = Record<string, unknown> & { type: string };

class Client {
  readonly received: Message[] = [];
  private readonly socket: WebSocket;
  private closed = false;

  constructor(url: string) {
    this.socket = new WebSocket(`${url.replace(/^http/, "ws")}/api/websocket`);
    this.socket.on("message", (data) => this.received.push(JSON.parse(data.toString()) as Message));
    this.socket.on("close", () => (this.closed = true));
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  async next(predicate: (m: Message) => boolean, what: string): Promise<Message> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what}; got ${JSON.stringify(this.received)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async whenClosed(): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("the server did not close the connection");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

let broker: TestBroker;
let ha: SimulatedHomeAssistantStack;
let clients: Client[] = [];

before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
});
beforeEach(async () => {
  ha = await startSimulatedHomeAssistant(broker.url);
});
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await ha.stop();
});

async function authenticated(): Promise<Client> {
  const client = new Client(ha.server.url);
  clients.push(client);
  await client.next((m) => m.type === "auth_required", "auth_required");
  client.send({ type: "auth", access_token: ha.token });
  await client.next((m) => m.type === "auth_ok", "auth_ok");
  return client;
}

describe("the simulated Home Assistant", () => {
  test("asks for auth with its version, and refuses a wrong token with auth_invalid, then closes", async () => {
    const client = new Client(ha.server.url);
    clients.push(client);
    assert.deepEqual(await client.next((m) => m.type === "auth_required", "auth_required"), { type: "auth_required", ha_version: HA_VERSION });
    client.send({ type: "auth", access_token: "wrong" });
    assert.equal((await client.next((m) => m.type === "auth_invalid", "auth_invalid")).message, "Invalid access token or password");
    await client.whenClosed();
    assert.equal(ha.server.connections, 0);
  });

  test("answers get_states with the home's state objects, and an unknown command with unknown_command", async () => {
    const client = await authenticated();
    client.send({ id: 1, type: "get_states" });
    client.send({ id: 2, type: "system_log/list" });
    const states = await client.next((m) => m.id === 1, "the get_states result");
    assert.equal(states.success, true);
    assert.deepEqual(
      (states.result as Array<{ entity_id: string; state: string }>).find((s) => s.entity_id === "binary_sensor.front_door")?.state,
      "off",
    );
    assert.deepEqual(await client.next((m) => m.id === 2, "the error"), { id: 2, type: "result", success: false, error: { code: "unknown_command", message: "Unknown command." } });
    assert.deepEqual([...ha.server.unknownCommands], [["system_log/list", 1]]);
  });

  test("sends state changes to subscribe_events and subscribe_entities, until unsubscribed", async () => {
    const client = await authenticated();
    client.send({ id: 5, type: "subscribe_events", event_type: "state_changed" });
    client.send({ id: 6, type: "subscribe_entities" });
    await client.next((m) => m.id === 6 && m.type === "event", "the entities' first event");
    await ha.home.openFrontDoor();
    const event = (await client.next((m) => m.id === 5 && m.type === "event", "a state_changed event")).event as { event_type: string; data: { entity_id: string; old_state: { state: string }; new_state: { state: string } } };
    assert.equal(event.event_type, "state_changed");
    assert.deepEqual([event.data.entity_id, event.data.old_state.state, event.data.new_state.state], ["binary_sensor.front_door", "off", "on"]);
    const change = await client.next((m) => m.id === 6 && m.type === "event" && "c" in (m.event as object), "a compressed change");
    assert.equal((change.event as { c: Record<string, { "+": { s: string } }> }).c["binary_sensor.front_door"]!["+"].s, "on");

    client.send({ id: 7, type: "unsubscribe_events", subscription: 5 });
    await client.next((m) => m.id === 7, "the unsubscribe result");
    const before = client.received.length;
    await ha.home.closeFrontDoor();
    await client.next((m) => m.id === 6 && client.received.indexOf(m) >= before, "the entities' change");
    assert.equal(client.received.slice(before).filter((m) => m.id === 5).length, 0, "no event after unsubscribing");
  });

  test("call_service runs the home's action; an unknown one is service_not_found", async () => {
    const client = await authenticated();
    client.send({ id: 3, type: "call_service", domain: "light", service: "turn_on", target: { entity_id: "light.living_room" } });
    assert.equal((await client.next((m) => m.id === 3, "the call's result")).success, true);
    assert.equal(ha.home.state("light.living_room"), "on");
    client.send({ id: 4, type: "call_service", domain: "lock", service: "unlock", target: { entity_id: "lock.front" } });
    assert.deepEqual((await client.next((m) => m.id === 4, "the error")).error, { code: "service_not_found", message: "Action lock.unlock not found." });
  });

  test("GET /api/ answers with the token, 401 without", async () => {
    assert.equal((await fetch(`${ha.server.url}/api/`)).status, 401);
    const ok = await fetch(`${ha.server.url}/api/`, { headers: { Authorization: `Bearer ${ha.token}` } });
    assert.deepEqual(await ok.json(), { message: "API running." });
  });
});
