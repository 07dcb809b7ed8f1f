/**
 * The built bridge as Claude Code runs it: a child process on stdio, driven by the
 * MCP SDK's own Client. The harness supplies a temp state dir and a broker, keeps
 * the bridge's stderr in a file (shown when something fails), and can preload the
 * probe (event-loop delay and RSS from inside the process).
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { paths, pluginNodeArgs } from "./paths.js";
import type { ProbeSample } from "./probe.js";

export interface ChannelNotice {
  content: string;
  meta: Record<string, string>;
}

export interface BridgeOptions {
  brokerUrl: string;
  name: string;
  prefix: string;
  /** More environment (MQTT_BUFFER_MAX_BYTES, SESSION_HOST, ...). */
  env?: Record<string, string>;
  /** The session file to start from (`<state>/sessions/<name>.json`). */
  sessionFile?: Record<string, unknown>;
  probe?: boolean;
  /** Called for each channel notification, as it arrives. */
  onChannel?: (notice: ChannelNotice) => void;
  /** The script to run instead of the built bridge (startup baseline). */
  script?: string;
  /**
   * Node.js options before the script; by default, for the bridge, those the plugin's
   * `.mcp.json` starts it with (BENCH_NODE_ARGS adds more, space-separated).
   */
  nodeArgs?: string[];
}

export interface RunningBridge {
  client: Client;
  pid: number;
  stateDir: string;
  /** Milliseconds from spawning to `initialize` answered. */
  startupMs: number;
  /** Runs a tool; rejects when it answers isError. Returns the text and how long it took. */
  tool(name: string, args?: Record<string, unknown>): Promise<{ text: string; ms: number }>;
  probeSamples(): ProbeSample[];
  /** Peak resident set size so far, from the kernel (VmHWM), in bytes. */
  peakRss(): number;
  stderrTail(lines?: number): string;
  stop(): Promise<void>;
}

function isChannel(params: unknown): params is ChannelNotice {
  if (typeof params !== "object" || params === null) return false;
  const p = params as { content?: unknown; meta?: unknown };
  return typeof p.content === "string" && typeof p.meta === "object" && p.meta !== null;
}

function kernelPeakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function nodeArgs(options: BridgeOptions): string[] {
  const fromEnv = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a.length > 0);
  const own = options.nodeArgs ?? (options.script === undefined ? pluginNodeArgs() : []);
  return [...own, ...fromEnv];
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const stateDir = mkdtempSync(join(tmpdir(), "claude-channel-bench-"));
  if (options.sessionFile) {
    mkdirSync(join(stateDir, "sessions"), { recursive: true });
    writeFileSync(join(stateDir, "sessions", `${options.name}.json`), JSON.stringify(options.sessionFile));
  }
  const probeFile = join(stateDir, "probe.jsonl");
  const stderrFile = join(stateDir, "stderr.log");
  const stderrFd = openSync(stderrFile, "a");
  const env: Record<string, string> = {
    ...getDefaultEnvironment(),
    MQTT_BROKER_URL: options.brokerUrl,
    MQTT_STATE_DIR: stateDir,
    SESSION_NAME: options.name,
    MQTT_TOPIC_PREFIX: options.prefix,
    ...(options.probe ? { BENCH_PROBE_FILE: probeFile } : {}),
    ...options.env,
  };
  const script = options.script ?? paths.bridgeMain;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...nodeArgs(options), ...(options.probe ? ["--require", paths.probe] : []), script],
    env,
    stderr: stderrFd,
  });
  const client = new Client({ name: "bench", version: "1.0.0" }, { capabilities: {} });
  client.fallbackNotificationHandler = async (notification) => {
    if (notification.method === "notifications/claude/channel" && isChannel(notification.params)) options.onChannel?.(notification.params);
  };
  const started = process.hrtime.bigint();
  try {
    await client.connect(transport);
  } catch (err) {
    closeSync(stderrFd);
    const tail = existsSync(stderrFile) ? readFileSync(stderrFile, "utf8").slice(-2000) : "";
    rmSync(stateDir, { recursive: true, force: true });
    throw new Error(`the bridge did not start: ${(err as Error).message}\n${tail}`);
  }
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  const pid = transport.pid ?? -1;

  const stderrTail = (lines = 20): string => {
    try {
      return readFileSync(stderrFile, "utf8").split("\n").slice(-lines - 1).join("\n");
    } catch {
      return "";
    }
  };

  return {
    client,
    pid,
    stateDir,
    startupMs,
    async tool(name, args = {}) {
      const t0 = process.hrtime.bigint();
      const result = await client.callTool({ name, arguments: args });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const content = Array.isArray(result.content) ? result.content : [];
      const text = content.map((c: { type?: string; text?: string }) => (c.type === "text" ? (c.text ?? "") : "")).join("\n");
      if (result.isError) throw new Error(`${name} failed: ${text}`);
      return { text, ms };
    },
    probeSamples() {
      if (!existsSync(probeFile)) return [];
      return readFileSync(probeFile, "utf8")
        .split("\n")
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as ProbeSample);
    },
    peakRss: () => kernelPeakRss(pid),
    stderrTail,
    async stop() {
      await client.close().catch(() => undefined);
      closeSync(stderrFd);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
