/**
 * `--check`: proves the demo works end to end, through the real bridge.
 *
 * 1. The bridge reaches the session "home" hosted by the flow (its `status` tool answers).
 * 2. The flows listen: their mqtt in nodes have subscribed to the simulated home's topics, and
 *    the Home Assistant nodes follow the simulated Home Assistant's state changes.
 * 3. The front door opens in Home Assistant → trigger: state → a channel notification on
 *    `homeassistant/binary_sensor/front_door`.
 * 4. New temperature readings → events: state → the living room's reading is in the `inbox`
 *    tool's output.
 * 5. Claude publishes `on` (or `off`) to `home/commands/light/living_room` → claude-action →
 *    the Home Assistant action node → the light changes → Claude hears its new state.
 * Each step has a deadline; a step that misses it fails the check, saying which and why.
 */
import { z } from "zod";
import { HOME_ASSISTANT_SERVER_NODE, type Demo } from "./demo.js";
import { homeAssistantNodesReady } from "./home-assistant/nodes-ready.js";
import { statestreamTopic } from "./home.js";

const STEP_DEADLINE_MS = 30_000;
const POLL_MS = 200;
export const FRONT_DOOR_TOPIC = "homeassistant/binary_sensor/front_door";
const LIVING_ROOM = "sensor.living_room_temperature";
const LIGHT = "light.living_room";
const LIGHT_TOPIC = "homeassistant/light/living_room";
export const LIGHT_COMMANDS_TOPIC = "home/commands/light/living_room";

export class CheckFailure extends Error {}

export interface CheckReport {
  /** The notification as Claude reads it. */
  door: string;
  /** The inbox tool's output holding the reading. */
  inbox: string;
  reading: string;
  /** The publish tool's answer (the flow's, after Home Assistant ran the action). */
  action: string;
  /** The notification of the light's new state. */
  light: string;
}

export async function runCheck(demo: Demo, log: (line: string) => void): Promise<CheckReport> {
  const { view, home, homeAssistant, broker } = demo;

  let lastAnswer = "";
  await step("the bridge to reach the flow's session", async () => {
    const status = await view.call("status").catch((err: unknown) => ({ text: String(err), isError: true }));
    lastAnswer = status.text;
    return !status.isError && connectionState(status.text) === "connected" ? true : undefined;
  }, () => `the status tool did not report a connected flow session; its last answer:\n${lastAnswer}\nBridge log:\n${view.stderr()}`);
  log("check: the bridge is connected to the flow's session \"home\"");

  await step("the example flows to listen", async () => {
    await broker.whenSubscribed("homeassistant/sensor/+/state");
    return true;
  }, () => "the flows' mqtt in nodes did not subscribe to homeassistant/sensor/+/state");
  await step("the Home Assistant nodes to follow the simulated Home Assistant", async () => {
    return homeAssistantNodesReady(HOME_ASSISTANT_SERVER_NODE) || undefined;
  }, () => `the Home Assistant nodes did not get ready at ${homeAssistant.url} (${homeAssistant.connections} connection(s))`);

  const from = view.notifications().length;
  await home.openFrontDoor();
  const door = await step("the front door's channel notification", async () => {
    return view.notifications().slice(from).find((seen) => seen.notification.meta.topic === FRONT_DOOR_TOPIC)?.tag;
  }, () => `no notification on ${FRONT_DOOR_TOPIC}; got ${JSON.stringify(view.notifications().slice(from).map((s) => s.tag))}.\nBridge log:\n${view.stderr()}`);
  log(`check: the front door opened and Claude got\n  ${door}`);

  const readings = await home.readTemperatures();
  const reading = readings[LIVING_ROOM]!;
  let last = "";
  const inbox = await step("the temperature reading in the inbox", async () => {
    const result = await view.call("inbox", { topic: "homeassistant/sensor/living_room_temperature" });
    last = result.text;
    return !result.isError && result.text.includes(reading) ? result.text : undefined;
  }, () => `${statestreamTopic(LIVING_ROOM)} = ${reading} is not in the inbox; the inbox tool said:\n${last}`);
  log(`check: the living room reads ${reading} °C, and the inbox tool shows\n${indent(inbox)}`);

  const command = home.state(LIGHT) === "on" ? "off" : "on";
  const beforeCommand = view.notifications().length;
  const answer = await view.call("publish", { topic: LIGHT_COMMANDS_TOPIC, text: command });
  if (answer.isError || home.state(LIGHT) !== command) {
    throw new CheckFailure(`Claude's "${command}" on ${LIGHT_COMMANDS_TOPIC} did not switch the light (it is ${home.state(LIGHT)}); the publish tool said:\n${answer.text}`);
  }
  const light = await step("the light's new state as a channel notification", async () => {
    return view.notifications().slice(beforeCommand).find((seen) => seen.notification.meta.topic === LIGHT_TOPIC)?.tag;
  }, () => `no notification on ${LIGHT_TOPIC}; got ${JSON.stringify(view.notifications().slice(beforeCommand).map((s) => s.tag))}`);
  log(`check: Claude published "${command}" to ${LIGHT_COMMANDS_TOPIC}; the flow answered\n  ${answer.text}\nand Claude got\n  ${light}`);
  return { door, inbox, reading, action: answer.text, light };
}

/** Polls `probe` until it returns a value; past the deadline, fails with `why()`. */
async function step<T>(what: string, probe: () => Promise<T | undefined>, why: () => string): Promise<T> {
  const deadline = Date.now() + STEP_DEADLINE_MS;
  for (;;) {
    const remaining = deadline - Date.now();
    const value = await Promise.race([probe(), sleep(Math.max(remaining, 0), true).then(() => undefined)]);
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new CheckFailure(`timed out after ${STEP_DEADLINE_MS / 1000} s waiting for ${what}: ${why()}`);
    await sleep(POLL_MS);
  }
}

/** `unref`: a wait that lost its race must not keep the process alive. */
function sleep(ms: number, unref = false): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });
}

const statusShape = z.object({ connection: z.object({ state: z.string() }) });

function connectionState(text: string): string | undefined {
  try {
    const parsed = statusShape.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.connection.state : undefined;
  } catch {
    return undefined; // not JSON: the flow is not reachable yet, and the tool said why in words
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
