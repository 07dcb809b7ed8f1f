/**
 * Drives the built bridge the way Claude Code does: a real MCP `Client` over stdio
 * spawning `node dist/mcp-bridge/main.js`, with its own state directory and topic
 * prefix, against the suite's broker.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import mqtt, { type MqttClient } from "mqtt";
import { CHANNEL_METHOD, type ChannelNotification } from "../../session/notification.js";
import { tempDir, uniquePrefix } from "../helpers/session.js";

export const ROOT = join(__dirname, "..", "..", "..");
export const MAIN = join(ROOT, "dist", "mcp-bridge", "main.js");

export interface BridgeOptions {
  brokerUrl?: string;
  prefix?: string;
  name?: string;
  stateDir?: string;
  /** Extra variables; they win over the defaults above. */
  env?: Record<string, string>;
  /** Variables to leave out of the environment (e.g. to take them from .env). */
  omit?: string[];
  /** The script to run; default the built bridge. */
  script?: string;
  /** Wait until status says connected (default true). */
  waitConnected?: boolean;
}

export interface ToolText {
  text: string;
  isError: boolean;
}

export function bridgeEnv(options: BridgeOptions, stateDir: string, prefix: string, name: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: stateDir,
    MQTT_STATE_DIR: stateDir,
    MQTT_TOPIC_PREFIX: prefix,
    SESSION_NAME: name,
    ...(options.brokerUrl ? { MQTT_BROKER_URL: options.brokerUrl } : {}),
    ...options.env,
  };
  for (const key of options.omit ?? []) delete env[key];
  return env;
}

export class BridgeClient {
  readonly notifications: ChannelNotification[] = [];
  private readonly waiters = new Set<() => void>();
  private stderrText = "";

  constructor(
    readonly client: Client,
    readonly transport: StdioClientTransport,
    readonly prefix: string,
    readonly name: string,
    readonly stateDir: string,
  ) {
    client.fallbackNotificationHandler = async (notification) => {
      if (notification.method !== CHANNEL_METHOD) return;
      this.notifications.push(notification.params as unknown as ChannelNotification);
      for (const wake of this.waiters) wake();
    };
    transport.stderr?.on("data", (chunk: Buffer) => {
      this.stderrText += chunk.toString();
    });
  }

  get inbox(): string {
    return `${this.prefix}/sessions/${this.name}/inbox`;
  }

  get statusTopic(): string {
    return `${this.prefix}/sessions/${this.name}/status`;
  }

  get pid(): number {
    const pid = this.transport.pid;
    if (pid === null) throw new Error("the bridge has no process");
    return pid;
  }

  stderr(): string {
    return this.stderrText;
  }

  async call(tool: string, args: Record<string, unknown> = {}): Promise<ToolText> {
    const result = await this.client.callTool({ name: tool, arguments: args });
    const content = result.content as Array<{ type: string; text?: string }>;
    const text = content.map((c) => (c.type === "text" ? (c.text ?? "") : `[${c.type}]`)).join("\n");
    return { text, isError: result.isError === true };
  }

  /** Calls a tool that must succeed; returns its text. */
  async ok(tool: string, args: Record<string, unknown> = {}): Promise<string> {
    const result = await this.call(tool, args);
    if (result.isError) throw new Error(`${tool} failed: ${result.text}`);
    return result.text;
  }

  async status(): Promise<StatusJson> {
    return JSON.parse(await this.ok("status")) as StatusJson;
  }

  /** The first notification (past `from`) matching `predicate`, waiting for it if need be. */
  nextNotification(predicate: (n: ChannelNotification) => boolean = () => true, from = 0, timeoutMs = 10_000): Promise<ChannelNotification> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.notifications.slice(from).find(predicate);
        if (!found) return false;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no matching channel notification within ${timeoutMs} ms; got ${JSON.stringify(this.notifications)}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export interface StatusJson {
  session: string;
  version: string;
  host: string;
  mode: string;
  modeReason: string;
  broker: string;
  connection: { state: string; since: string; lastError?: string };
  admitted: string[];
  watched: string[];
  muted: string[];
  activeSubscriptions: string[];
  pendingRequests: number;
  buffer: Record<string, number>;
  bufferMaxAge: number;
  bufferMaxPerTopic: number;
  counts: { admitted: number; watched: number; replies: number; dropped: Record<string, number>; binary: number };
  evicted: { perTopic: number; age: number; bytes: number };
  problems: string[];
  notifications: { sent: number; failed: number; held: number; overflow: number };
}

export async function startBridge(options: BridgeOptions = {}): Promise<BridgeClient> {
  const stateDir = options.stateDir ?? tempDir("claude-bridge-");
  const prefix = options.prefix ?? uniquePrefix();
  const name = options.name ?? "alpha";
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [options.script ?? MAIN],
    env: bridgeEnv(options, stateDir, prefix, name),
    stderr: "pipe",
  });
  const client = new Client({ name: "bridge-test", version: "0" });
  const bridge = new BridgeClient(client, transport, prefix, name, stateDir);
  await client.connect(transport);
  if (options.waitConnected ?? true) {
    await eventually(async () => (await bridge.status()).connection.state === "connected", "the bridge to connect to the broker");
  }
  return bridge;
}

/** Polls `check` until it holds; fails after `timeoutMs` naming what was awaited. */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function writeStateFile(stateDir: string, relative: string, text: string): void {
  const path = join(stateDir, relative);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

/** A plain MQTT client that records what arrives on the filters it subscribes to. */
export class Peer {
  readonly received: Array<{ topic: string; payload: Buffer; retain: boolean }> = [];

  private constructor(readonly client: MqttClient) {
    client.on("message", (topic, payload, packet) => this.received.push({ topic, payload, retain: packet.retain }));
  }

  static async connect(url: string): Promise<Peer> {
    return new Peer(await mqtt.connectAsync(url, { reconnectPeriod: 0 }));
  }

  async subscribe(filter: string): Promise<void> {
    await this.client.subscribeAsync(filter, { qos: 1 });
  }

  async publish(topic: string, payload: string | Buffer, retain = false): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  async next(predicate: (m: { topic: string; payload: Buffer; retain: boolean }) => boolean, what: string): Promise<{ topic: string; payload: Buffer; retain: boolean }> {
    let found: { topic: string; payload: Buffer; retain: boolean } | undefined;
    await eventually(() => (found = this.received.find(predicate)) !== undefined, what);
    return found!;
  }

  async end(): Promise<void> {
    await this.client.endAsync();
  }
}

/** A bridge run as a bare child process (for exit codes, signals and the raw stdout); `exited` waits for stdio to close too. */
export interface RawBridge {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnRaw(env: Record<string, string>, script = MAIN): RawBridge {
  const child = spawn(process.execPath, [script], { env, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}
