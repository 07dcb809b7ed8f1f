/**
 * node-red-node-test-helper, typed for the parts these tests use, plus flow builders and
 * waits. The nodes are the built ones in dist/, loaded as Node-RED loads them.
 */
import { EventEmitter, once } from "node:events";
import type { NodeInitializer, NodeMessage, NodeStatus } from "node-red";
import sessionNode = require("../../../nodes/claude-session/claude-session.js");
import gateNode = require("../../../nodes/claude-gate/claude-gate.js");
import publishNode = require("../../../nodes/claude-publish/claude-publish.js");
import actionNode = require("../../../nodes/claude-action/claude-action.js");
import permissionNode = require("../../../nodes/claude-permission/claude-permission.js");
import type { ClaudeSessionNode } from "../../../nodes/shared/types.js";
import type { Session } from "../../../session/session.js";
import type { FlowNode } from "../../../demo/example-flows.js";
import { RED_MAIN, requireFromNodeRed } from "../../helpers/node-red-runtime.js";
import { localised } from "./messages.js";

export type { FlowNode };

export type Credentials = Record<string, Record<string, string>>;

export interface TestNode extends EventEmitter {
  id: string;
  type: string;
  credentials?: Record<string, unknown>;
  receive(msg: NodeMessage): void;
}

interface LogEntry {
  level: number;
  id?: string;
  type?: string;
  msg?: unknown;
}

interface NodeTestHelper {
  init(runtimePath: string, userSettings?: Record<string, unknown>): void;
  settings(userSettings: Record<string, unknown>): Record<string, unknown>;
  load(nodes: NodeInitializer[], flow: FlowNode[], credentials?: Credentials): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode | null;
  log(): { args: Array<[LogEntry]> };
  _events: EventEmitter;
  _redNodes: {
    setFlows(flow: FlowNode[], credentials: Credentials | null, type: "full" | "nodes" | "flows"): Promise<unknown>;
    getFlows(): { flows: FlowNode[] };
  };
}

// node-red-node-test-helper ships no types; this is the surface described above.
export const helper = require("node-red-node-test-helper") as NodeTestHelper;
helper.init(RED_MAIN);

const NODES = { "claude-session": sessionNode, "claude-gate": gateNode, "claude-publish": publishNode, "claude-action": actionNode, "claude-permission": permissionNode };
const NAMES = Object.keys(NODES);

/** The package's nodes, each with its messages (see ./messages.ts). */
export const claudeNodes: NodeInitializer[] = Object.entries(NODES).map(([name, init]) => localised(name, init, NAMES));

const coreNodes = "@node-red/nodes/core";
export const changeNode = requireFromNodeRed(`${coreNodes}/function/15-change.js`) as NodeInitializer;
export const tlsNode = requireFromNodeRed(`${coreNodes}/network/05-tls.js`) as NodeInitializer;
export const mqttNodes = requireFromNodeRed(`${coreNodes}/network/10-mqtt.js`) as NodeInitializer;

export const LOG_ERROR = 20;
export const LOG_WARN = 30;

/** Every status every node has shown since `recordStatuses` was called, by node id. */
export function recordStatuses(): { of(id: string): NodeStatus[]; stop(): void } {
  const seen = new Map<string, NodeStatus[]>();
  const listener = (event: { id: string; status?: NodeStatus }): void => {
    if (!event.status) return;
    const list = seen.get(event.id) ?? [];
    list.push(event.status);
    seen.set(event.id, list);
  };
  helper._events.on("node-status", listener);
  return {
    of: (id) => seen.get(id) ?? [],
    stop: () => helper._events.off("node-status", listener),
  };
}

export function logged(level: number, id: string): string[] {
  return helper
    .log()
    .args.map(([entry]) => entry)
    .filter((entry) => entry.level === level && entry.id === id)
    .map((entry) => String(entry.msg));
}

/**
 * Deploys like the editor's Deploy button (credentials may sit inline in the flow, as the
 * editor sends them). Every node type must be registered already (`helper.load` registers
 * the core types, such as catch, that appear in the flow it is given).
 */
export async function deploy(flow: FlowNode[], type: "full" | "nodes" | "flows" = "full"): Promise<void> {
  const started = once(helper._events, "flows:started");
  await helper._redNodes.setFlows(flow, null, type);
  await started;
}

export function configNode(id: string): ClaudeSessionNode {
  const node = helper.getNode(id) as unknown as ClaudeSessionNode | null;
  if (!node) throw new Error(`no node ${id}`);
  return node;
}

export function liveSession(configId: string): Session {
  const current = configNode(configId).current();
  if ("problem" in current) throw new Error(current.problem);
  return current.session;
}

/** Resolves with the next `count` messages a helper node receives. */
export function received(id: string, count = 1, timeoutMs = 5000): Promise<NodeMessage[]> {
  const node = helper.getNode(id);
  if (!node) throw new Error(`no node ${id}`);
  return new Promise((resolve, reject) => {
    const messages: NodeMessage[] = [];
    const timer = setTimeout(() => {
      node.off("input", listener);
      reject(new Error(`${id} received ${messages.length} of ${count} message(s) within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (msg: NodeMessage): void => {
      messages.push(msg);
      if (messages.length < count) return;
      clearTimeout(timer);
      node.off("input", listener);
      resolve(messages);
    };
    node.on("input", listener);
  });
}

/** Polls `check` until it returns a value other than undefined; `what` names it in the failure. */
export async function waitFor<T>(check: () => T | undefined, what: string | (() => string), timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface FlowParts {
  session?: Partial<FlowNode>;
  gate?: Partial<FlowNode>;
  publish?: Partial<FlowNode>;
  /** More nodes on the same tab (give them `z: "f1"`). */
  extra?: FlowNode[];
}

/**
 * A tab with a claude-session (`s1`), a claude-gate (`g1`) whose outputs go to helper
 * nodes `admitted`, `watched`, `dropped`, a claude-publish (`p1`), and a catch node
 * that sends the errors of every node on the tab to the helper `errors`.
 */
export function gateFlow(brokerUrl: string, prefix: string, parts: FlowParts = {}): FlowNode[] {
  return [
    { id: "f1", type: "tab", label: "claude" },
    { id: "s1", type: "claude-session", name: "flowbot", broker: brokerUrl, prefix, qos: 1, heartbeat: 60, ...parts.session },
    {
      id: "g1",
      type: "claude-gate",
      z: "f1",
      session: "s1",
      mode: "lists",
      subject: "topic",
      subjectType: "msg",
      wires: [["admitted"], ["watched"], ["dropped"]],
      ...parts.gate,
    },
    { id: "p1", type: "claude-publish", z: "f1", session: "s1", mode: "publish", topic: "", target: "", raw: false, retain: false, ...parts.publish },
    { id: "c1", type: "catch", z: "f1", scope: null, uncaught: false, wires: [["errors"]] },
    { id: "admitted", type: "helper", z: "f1" },
    { id: "watched", type: "helper", z: "f1" },
    { id: "dropped", type: "helper", z: "f1" },
    { id: "errors", type: "helper", z: "f1" },
    ...(parts.extra ?? []),
  ];
}

/** Waits until the session node `id` reports a connected session. */
export function connected(configId: string): Promise<Session> {
  return waitFor(() => {
    const current = configNode(configId).current();
    return "session" in current && current.session.state === "connected" ? current.session : undefined;
  }, `session ${configId} to connect`);
}
