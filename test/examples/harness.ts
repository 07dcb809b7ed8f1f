/**
 * Loads an example flow from `examples/` into a real Node-RED runtime
 * (node-red-node-test-helper, with the core nodes the examples use), pointed at the
 * suite's broker. Tests tap any node's output with helper nodes, wait until the flow's
 * mqtt in nodes really listen, and talk MQTT with a peer.
 */
import type { NodeInitializer, NodeMessage } from "node-red";
import { combineFlows, pointAtBroker, readExample, type FlowNode } from "../../demo/example-flows.js";
import type { Session } from "../../session/session.js";
import type { AdmittedMessage } from "../../session/types.js";
import { after, afterEach, before, beforeEach } from "node:test";
import { Peer } from "../bridge/harness.js";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { homeAssistantNodes } from "../helpers/home-assistant.js";
import { tempDir } from "../helpers/session.js";
import { requireFromNodeRed } from "../helpers/node-red-runtime.js";
import { changeNode, claudeNodes, connected, helper, mqttNodes, type Credentials } from "../nodes/helpers/red.js";

const core = "@node-red/nodes/core";
const coreNodes: NodeInitializer[] = [
  `${core}/common/20-inject.js`,
  `${core}/common/21-debug.js`,
  `${core}/common/90-comment.js`,
  `${core}/function/10-function.js`,
  `${core}/function/10-switch.js`,
].map((path) => requireFromNodeRed(path) as NodeInitializer);

export interface ExampleSuite {
  readonly broker: TestBroker;
  /** A plain MQTT client, fresh for each test (only with `peer`). */
  readonly peer: Peer;
}

/**
 * The hooks every example test file needs: one broker for the file, a fresh peer per
 * test subscribed to `peer.subscribe` (when asked for), the flow unloaded after each test.
 */
export function exampleSuite(options: { peer?: { subscribe?: string[] } } = {}): ExampleSuite {
  let broker: TestBroker | undefined;
  let peer: Peer | undefined;
  before(async () => {
    broker = await startBroker();
  });
  after(async () => {
    await broker?.stop();
  });
  if (options.peer) {
    const filters = options.peer.subscribe ?? [];
    beforeEach(async () => {
      peer = await Peer.connect(broker!.url);
      for (const filter of filters) await peer.subscribe(filter);
    });
  }
  afterEach(async () => {
    await peer?.end();
    peer = undefined;
    await helper.unload();
  });
  return {
    get broker() {
      if (!broker) throw new Error("the broker is not started yet");
      return broker;
    },
    get peer() {
      if (!peer) throw new Error("this suite has no peer (pass { peer: {} })");
      return peer;
    },
  };
}

export const EXAMPLE_NODES: NodeInitializer[] = [...claudeNodes, ...coreNodes, changeNode, mqttNodes, homeAssistantNodes];

export interface LoadOptions {
  credentials?: Credentials;
  /** Extra outputs: `{nodeId: [[helperId, …] per output]}`, added to the node's own wires; the helpers are created. */
  taps?: Record<string, string[][]>;
}

/** The example (or several, combined) as deployed against `brokerUrl`, plus the taps. */
export function exampleFlow(names: readonly string[], brokerUrl: string, taps: Record<string, string[][]> = {}): FlowNode[] {
  const flow = pointAtBroker(combineFlows(names.map((name) => readExample(name))), brokerUrl);
  const helpers: FlowNode[] = [];
  for (const [id, outputs] of Object.entries(taps)) {
    const node = flow.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id} to tap`);
    const wires = (node.wires ?? []).map((w) => [...w]);
    outputs.forEach((extra, i) => {
      wires[i] = [...(wires[i] ?? []), ...extra];
      for (const helperId of extra) helpers.push({ id: helperId, type: "helper", z: node.z ?? "" });
    });
    node.wires = wires;
  }
  return [...flow, ...helpers];
}

/** The mqtt-broker nodes of the flow loaded last (each example brings its own). */
let brokerNodes: string[] = [];

export async function loadExample(name: string | readonly string[], brokerUrl: string, options: LoadOptions = {}): Promise<FlowNode[]> {
  helper.settings({ userDir: tempDir("claude-example-") });
  const flow = exampleFlow(typeof name === "string" ? [name] : name, brokerUrl, options.taps);
  brokerNodes = flow.filter((node) => node.type === "mqtt-broker").map((node) => node.id);
  await helper.load(EXAMPLE_NODES, flow, options.credentials ?? {});
  const missing = flow.filter((node) => node.type !== "tab" && !helper.getNode(node.id)).map((node) => `${node.id} (${node.type})`);
  if (missing.length > 0) throw new Error(`Node-RED did not create ${missing.join(", ")}`);
  return flow;
}

interface BrokerNode {
  connected: boolean;
  client?: { publishAsync(topic: string, payload: string, options: { qos: 1 }): Promise<unknown> };
}

/**
 * Resolves once every mqtt in node of the flow loaded last listens. An mqtt-broker node
 * subscribes for its users as soon as it connects; a QoS 1 publish on that same connection
 * is acknowledged only after the broker has handled the SUBSCRIBEs sent before it.
 */
export async function listening(): Promise<void> {
  for (const id of brokerNodes) {
    const node = helper.getNode(id) as unknown as BrokerNode | null;
    if (!node) throw new Error(`no mqtt-broker node ${id}`);
    await until(() => node.connected && node.client !== undefined, `the mqtt-broker node ${id} to connect`);
    await node.client!.publishAsync("test/listening", "", { qos: 1 });
  }
}

/** The next admitted message of `session` that `predicate` accepts. */
export function nextAdmitted(session: Session, predicate: (m: AdmittedMessage) => boolean, timeoutMs = 10_000): Promise<AdmittedMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.off("admitted", listener);
      reject(new Error(`no admitted message as expected within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (message: AdmittedMessage): void => {
      if (!predicate(message)) return;
      clearTimeout(timer);
      session.off("admitted", listener);
      resolve(message);
    };
    session.on("admitted", listener);
  });
}

/** Presses an inject node's button (the editor's POST /inject/:id does the same). */
export function press(injectId: string): void {
  const node = helper.getNode(injectId);
  if (!node) throw new Error(`no inject node ${injectId}`);
  node.receive({} as NodeMessage);
}

export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { connected, helper };
