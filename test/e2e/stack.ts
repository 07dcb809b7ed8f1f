/**
 * The whole product for end-to-end suites: a real Mosquitto, a real `node-red` running
 * the packed package with a flow deployed through the admin API, and the installed
 * bridge in flow mode driven by a real MCP client, as Claude Code drives it.
 *
 * The flow-hosted session is "home"; a suite's flow is built from the node builders
 * below. `StatusWatch` follows the session's retained status: a new link epoch means a
 * new session (a deploy, a restart).
 */
import assert from "node:assert/strict";
import type { RefusalCounts } from "../../session/link/protocol.js";
import { startBroker, type BrokerOptions, type TestBroker } from "../helpers/broker.js";
import { installedPackage, NodeRed, type FlowNode, type InstalledPackage } from "../helpers/node-red.js";
import { uniquePrefix } from "../helpers/session.js";
import { eventually, Peer, startBridge, type BridgeClient, type StatusJson } from "../bridge/harness.js";

export const LINK_KEY = "e2e-link-key-0123456789abcdefghijklmnop";
export const SESSION = "home";
export const TAB = "tab";

/** The `status` tool's answer in flow mode: the flow session's status plus both ends of the link. */
export interface FlowStatusJson extends StatusJson {
  pinned: { admitted: string[]; watched: string[]; muted: string[] };
  link: { protocol: number; epoch: string; bridges: Array<{ id: string }>; outbox: number; droppedWhileAway: number; refused: RefusalCounts };
  bridgeLink: { bridge: string; connected: boolean; flowEpoch?: string; lastSeq: number; repeatsSkipped: number; refused: RefusalCounts };
}

/** The retained status a flow-hosted session publishes. */
export interface RetainedStatus {
  status: "online" | "offline";
  host?: string;
  reason?: string;
  link?: { protocol?: number; epoch?: string };
}

export class StatusWatch {
  constructor(
    private readonly peer: Peer,
    readonly topic: string,
  ) {}

  static async follow(peer: Peer, topic: string): Promise<StatusWatch> {
    await peer.subscribe(topic);
    return new StatusWatch(peer, topic);
  }

  latest(): RetainedStatus | undefined {
    const last = this.peer.received.filter((m) => m.topic === this.topic && m.payload.length > 0).at(-1);
    return last ? (JSON.parse(last.payload.toString()) as RetainedStatus) : undefined;
  }

  /** Waits until the latest status is online with a link epoch other than `previous`; returns that epoch. */
  async online(previous?: string): Promise<string> {
    let epoch: string | undefined;
    await eventually(() => {
      const s = this.latest();
      epoch = s?.status === "online" && s.host === "flow" ? s.link?.epoch : undefined;
      return epoch !== undefined && epoch !== previous;
    }, `session "${SESSION}" online with a new link epoch (latest: ${JSON.stringify(this.latest())})`, 30_000);
    return epoch!;
  }

  async offline(): Promise<RetainedStatus> {
    await eventually(() => this.latest()?.status === "offline", `session "${SESSION}" to be reported offline`);
    return this.latest()!;
  }
}

export interface Stack {
  broker: TestBroker;
  pkg: InstalledPackage;
  red: NodeRed;
  peer: Peer;
  prefix: string;
  status: StatusWatch;
  /** The link epoch of the session now running. */
  epoch: string;
  bridges: BridgeClient[];
  stop(): Promise<void>;
}

/**
 * Starts broker and Node-RED (loading `extraModules` too), deploys `flow(prefix, broker)` and
 * waits for the session to be online. `flow` may start what the flow talks to first.
 */
export async function startStack(
  flow: (prefix: string, broker: TestBroker) => FlowNode[] | Promise<FlowNode[]>,
  options: { extraModules?: string[]; broker?: BrokerOptions; resourceProbe?: boolean } = {},
): Promise<Stack> {
  const broker = await startBroker(options.broker);
  const started: Array<() => Promise<void>> = [() => broker.stop()];
  try {
    const pkg = installedPackage();
    const prefix = uniquePrefix();
    const peer = await Peer.connect(broker.url);
    started.push(() => peer.end());
    const status = await StatusWatch.follow(peer, `${prefix}/sessions/${SESSION}/status`);
    const deployed = await flow(prefix, broker);
    const red = await NodeRed.start(pkg, { extraModules: options.extraModules ?? [], resourceProbe: options.resourceProbe ?? false });
    started.push(() => red.kill());
    await red.deploy(deployed);
    const epoch = await status.online();
    return stackOf({ broker, pkg, red, peer, prefix, status, epoch });
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

function stackOf(parts: Omit<Stack, "bridges" | "stop">): Stack {
  const stack: Stack = {
    ...parts,
    bridges: [],
    async stop() {
      for (const bridge of stack.bridges) await bridge.close().catch(() => undefined);
      await parts.red.stop();
      await parts.peer.end();
      await parts.broker.stop();
    },
  };
  return stack;
}

/** The installed bridge for session "home", as Claude Code starts it (the MCP handshake done, nothing more awaited). */
export async function launchBridge(stack: Stack, host: "flow" | "auto" = "flow", env: Record<string, string> = {}): Promise<BridgeClient> {
  const bridge = await startBridge({
    script: stack.pkg.bridgeScript,
    brokerUrl: stack.broker.url,
    prefix: stack.prefix,
    name: SESSION,
    env: { SESSION_HOST: host, SESSION_LINK_KEY: LINK_KEY, ...env },
    waitConnected: false,
  });
  stack.bridges.push(bridge);
  return bridge;
}

/** The installed bridge for session "home", attached to the flow (welcomed in the current epoch). */
export async function startFlowBridge(stack: Stack, host: "flow" | "auto" = "flow"): Promise<BridgeClient> {
  const bridge = await launchBridge(stack, host);
  await attached(bridge, stack.epoch);
  return bridge;
}

/** Waits until the bridge answers through the flow session of `epoch`. */
export async function attached(bridge: BridgeClient, epoch: string): Promise<FlowStatusJson> {
  let status: FlowStatusJson | undefined;
  await eventually(
    async () => {
      const result = await bridge.call("status");
      status = result.isError ? undefined : (JSON.parse(result.text) as FlowStatusJson);
      return status?.link.epoch === epoch && status.bridgeLink.flowEpoch === epoch;
    },
    `the bridge to attach to the flow session of epoch ${epoch} (stderr: ${bridge.stderr()})`,
    30_000,
  );
  return status!;
}

export async function flowStatus(bridge: BridgeClient): Promise<FlowStatusJson> {
  return JSON.parse(await bridge.ok("status")) as FlowStatusJson;
}

/** Asserts a tool call fails, and returns its text. */
export async function refused(bridge: BridgeClient, tool: string, args: Record<string, unknown>): Promise<string> {
  const result = await bridge.call(tool, args);
  assert.equal(result.isError, true, `${tool} should fail, got: ${result.text}`);
  return result.text;
}

// ── flow builders: nodes as the editor exports them ───────────────────────────

export interface SessionParts {
  admitted?: string[];
  watched?: string[];
  muted?: string[];
  publishAllow?: string[];
  publishDeny?: string[];
  linkKey?: string;
  coalesceInterval?: number;
  notifyPerMinute?: number;
}

export function sessionNode(id: string, name: string, prefix: string, broker: TestBroker, parts: SessionParts = {}): FlowNode {
  return {
    id,
    type: "claude-session",
    name,
    broker: broker.url,
    prefix,
    qos: 1,
    heartbeat: 60,
    admitted: parts.admitted ?? [],
    watched: parts.watched ?? [],
    muted: parts.muted ?? [],
    ...(parts.publishAllow ? { publishAllow: parts.publishAllow } : {}),
    ...(parts.publishDeny ? { publishDeny: parts.publishDeny } : {}),
    ...(parts.coalesceInterval !== undefined ? { coalesceInterval: parts.coalesceInterval } : {}),
    ...(parts.notifyPerMinute !== undefined ? { notifyPerMinute: parts.notifyPerMinute } : {}),
    ...(parts.linkKey ? { credentials: { linkKey: parts.linkKey } } : {}),
  };
}

export function brokerNode(id: string, broker: TestBroker): FlowNode {
  return {
    id,
    type: "mqtt-broker",
    name: "",
    broker: "127.0.0.1",
    port: String(broker.port),
    clientid: "",
    autoConnect: true,
    usetls: false,
    protocolVersion: "4",
    keepalive: "60",
    cleansession: true,
  };
}

export function injectNode(id: string, out: string, props: { topic?: string; payload?: string; payloadType?: "str" | "json" | "num" }): FlowNode {
  return {
    id,
    type: "inject",
    z: TAB,
    name: "",
    props: [{ p: "payload" }, { p: "topic", vt: "str" }],
    repeat: "",
    crontab: "",
    once: false,
    onceDelay: 0.1,
    topic: props.topic ?? "",
    payload: props.payload ?? "",
    payloadType: props.payloadType ?? "str",
    wires: [[out]],
  };
}

export function gateNode(id: string, session: string, mode: "lists" | "admit" | "watch", outputs: [string[], string[], string[]] = [[], [], []]): FlowNode {
  return { id, type: "claude-gate", z: TAB, session, mode, subject: "topic", subjectType: "msg", wires: outputs };
}

export function publishNode(id: string, session: string, mode: "publish" | "inbox" | "reply", target = ""): FlowNode {
  return { id, type: "claude-publish", z: TAB, session, mode, topic: "", target, raw: false, retain: false, wires: [] };
}

export function actionNode(id: string, session: string, pattern: string, out: string): FlowNode {
  return { id, type: "claude-action", z: TAB, name: "", session, pattern, timeout: 30, wires: [[out]] };
}

export function functionNode(id: string, func: string, out: string): FlowNode {
  return { id, type: "function", z: TAB, name: "", func, outputs: 1, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], wires: [[out]] };
}

export function mqttIn(id: string, topic: string, brokerId: string, out: string): FlowNode {
  return { id, type: "mqtt in", z: TAB, name: "", topic, qos: "1", datatype: "json", broker: brokerId, nl: false, rap: true, rh: 0, inputs: 0, wires: [[out]] };
}

export function mqttOut(id: string, topic: string, brokerId: string): FlowNode {
  return {
    id,
    type: "mqtt out",
    z: TAB,
    name: "",
    topic,
    qos: "1",
    retain: "false",
    respTopic: "",
    contentType: "",
    userProps: "",
    correl: "",
    expiry: "",
    broker: brokerId,
    wires: [],
  };
}

export function tab(): FlowNode {
  return { id: TAB, type: "tab", label: "claude e2e" };
}
