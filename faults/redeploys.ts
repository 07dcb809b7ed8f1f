/**
 * Full deploys back to back while a publisher sends QoS 1 messages to a topic the flow's
 * session admits, with a bridge attached as Claude Code runs it. Targets: every admitted
 * message reaches Claude, none twice, and the deploys leave no broker clients, descriptors
 * or timers behind.
 */
import { readdirSync } from "node:fs";
import { eventually } from "../test/bridge/harness.js";
import { attached, LINK_KEY, SESSION, sessionNode, startFlowBridge, startStack, tab, TAB, type Stack } from "../test/e2e/stack.js";
import type { TestBroker } from "../test/helpers/broker.js";
import type { FlowNode } from "../test/helpers/node-red.js";
import { pulseNumbers, sleep, type Fault, type FaultResult, type FaultSize } from "./fault.js";

const RATE_PER_SECOND = 30;
const PROBE_PATH = "/fault-resources";

function flow(prefix: string, broker: TestBroker): FlowNode[] {
  return [
    tab(),
    sessionNode("s-home", SESSION, prefix, broker, { admitted: [`${prefix}/meter/#`], linkKey: LINK_KEY, coalesceInterval: 0, notifyPerMinute: 0 }),
    // The process' active handles and requests, by kind, for the leak check.
    { id: "probe-in", type: "http in", z: TAB, name: "", url: PROBE_PATH, method: "get", upload: false, swaggerDoc: "", wires: [["probe-count"]] },
    {
      id: "probe-count",
      type: "function",
      z: TAB,
      name: "",
      func: 'const counts = {};\nfor (const kind of global.get("activeResources")()) counts[kind] = (counts[kind] || 0) + 1;\nmsg.payload = counts;\nreturn msg;',
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: "",
      finalize: "",
      libs: [],
      wires: [["probe-out"]],
    },
    { id: "probe-out", type: "http response", z: TAB, name: "", statusCode: "", headers: {}, wires: [] },
  ];
}

interface Footprint {
  brokerClients: number;
  descriptors: number;
  timers: number;
}

/** What Node-RED holds once things settle: its broker clients ($SYS), open descriptors and timers. */
async function footprint(stack: Stack, sysClients: () => number | undefined): Promise<Footprint> {
  await sleep(3000);
  const probe = await stack.red.http(PROBE_PATH, { accept: "application/json" });
  const resources = JSON.parse(probe.text) as Record<string, number>;
  return {
    brokerClients: sysClients() ?? Number.NaN,
    descriptors: readdirSync(`/proc/${stack.red.pid!}/fd`).length,
    timers: (resources.Timeout ?? 0) + (resources.Immediate ?? 0),
  };
}

function within(after: Footprint, before: Footprint): boolean {
  return after.brokerClients <= before.brokerClients && after.descriptors <= before.descriptors && after.timers <= before.timers;
}

export const redeploys: Fault = {
  id: "redeploys",
  title: "full deploys back to back while messages flow",
  async run(size: FaultSize): Promise<FaultResult> {
    const deploys = size === "quick" ? 10 : 100;
    const stack = await startStack(flow, { broker: { sysIntervalSeconds: 1 }, resourceProbe: true });
    try {
      const bridge = await startFlowBridge(stack);
      let connected: number | undefined;
      stack.peer.client.on("message", (topic, payload) => {
        if (topic === "$SYS/broker/clients/connected") connected = Number(payload.toString());
      });
      await stack.peer.subscribe("$SYS/broker/clients/connected");
      const deployed = flow(stack.prefix, stack.broker);
      // One deploy first, so the figures before compare like with like (the first deploy starts what later ones reuse).
      await stack.red.deploy(deployed);
      stack.epoch = await stack.status.online(stack.epoch);
      await attached(bridge, stack.epoch);
      const before = await footprint(stack, () => connected);

      let sent = 0;
      let publishing = true;
      const publisher = (async () => {
        const start = Date.now();
        while (publishing) {
          await stack.peer.publish(`${stack.prefix}/meter/pulses`, `pulse ${++sent}`);
          const due = start + (sent * 1000) / RATE_PER_SECOND;
          if (due > Date.now()) await sleep(due - Date.now());
        }
      })();
      for (let i = 0; i < deploys; i++) await stack.red.deploy(deployed);
      await sleep(1000);
      publishing = false;
      await publisher;

      const pulses = (): number[] => pulseNumbers(bridge.notifications);
      await eventually(() => new Set(pulses()).size >= sent, `all ${sent} pulses to reach Claude`, 60_000).catch(() => undefined);
      const delivered = pulses();
      const unique = new Set(delivered).size;
      // A leak stays; a timer or socket of the moment (a reconnect, a ping) goes: sampled until settled, a few times at most.
      let after = await footprint(stack, () => connected);
      for (let tries = 0; tries < 5 && !within(after, before); tries++) after = await footprint(stack, () => connected);
      const figures: FaultResult["figures"] = {
        deploys,
        sent,
        lost: sent - unique,
        duplicates: delivered.length - unique,
        ...Object.fromEntries(Object.entries(before).map(([k, v]) => [`${k}Before`, v])),
        ...Object.fromEntries(Object.entries(after).map(([k, v]) => [`${k}After`, v])),
      };
      return {
        id: this.id,
        title: this.title,
        figures,
        targets: [
          { what: "0 admitted messages lost", met: sent - unique === 0 },
          { what: "0 duplicates delivered to Claude", met: delivered.length === unique },
          { what: "no broker clients leaked", met: after.brokerClients <= before.brokerClients },
          { what: "no file descriptors leaked", met: after.descriptors <= before.descriptors },
          { what: "no timers leaked", met: after.timers <= before.timers },
        ],
      };
    } finally {
      await stack.stop();
    }
  },
};
