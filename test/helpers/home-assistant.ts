/**
 * The simulated home behind the simulated Home Assistant, for tests that run the real Home
 * Assistant nodes: one per test, on the suite's broker, with credentials for a flow's
 * `server` nodes.
 */
import type { NodeInitializer } from "node-red";
import { randomBytes } from "node:crypto";
import { homeAssistantCredentials, type FlowNode } from "../../demo/example-flows.js";
import { SimulatedHomeAssistant } from "../../demo/home-assistant/server.js";
import { SimulatedHome } from "../../demo/home.js";

const registerHomeAssistantNodes = (require("node-red-contrib-home-assistant-websocket/dist/index.js") as { default: NodeInitializer }).default;

/** The Home Assistant nodes' issue check runs every six hours, from registration on, and is never stopped. */
const ISSUE_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

/**
 * The Home Assistant nodes of node-red-contrib-home-assistant-websocket (all types, one
 * module). Their six-hourly issue check is harmless in Node-RED but would keep a test process
 * alive, so while they register, that one interval is unref'd.
 */
export const homeAssistantNodes: NodeInitializer = async (RED) => {
  const setIntervalAsUsual = globalThis.setInterval;
  globalThis.setInterval = ((handler: () => void, ms?: number, ...args: unknown[]) => {
    const timer = setIntervalAsUsual(handler, ms, ...args) as unknown as NodeJS.Timeout;
    return ms === ISSUE_CHECK_INTERVAL_MS ? timer.unref() : timer;
  }) as typeof setInterval;
  try {
    await registerHomeAssistantNodes(RED);
  } finally {
    globalThis.setInterval = setIntervalAsUsual;
  }
};

export interface SimulatedHomeAssistantStack {
  home: SimulatedHome;
  server: SimulatedHomeAssistant;
  token: string;
  credentialsFor(flow: readonly FlowNode[]): Record<string, Record<string, string>>;
  stop(): Promise<void>;
}

export async function startSimulatedHomeAssistant(brokerUrl: string): Promise<SimulatedHomeAssistantStack> {
  const token = randomBytes(16).toString("hex");
  const home = await SimulatedHome.start(brokerUrl);
  const server = await SimulatedHomeAssistant.start(home, { token });
  return {
    home,
    server,
    token,
    credentialsFor: (flow) => homeAssistantCredentials(flow, server.url, token),
    stop: async () => {
      await server.close();
      await home.stop();
    },
  };
}
