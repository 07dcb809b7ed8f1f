/**
 * The real Claude Code CLI (the pinned `@anthropic-ai/claude-code`), run interactively in
 * tmux against the scripted model server, with this repository's plugin installed from a
 * local marketplace built from the files a clean clone has. Each run gets a fresh HOME,
 * working directory and tmux server of its own; nothing reaches the internet.
 *
 * `claudeCodeMissing()` says why the suite cannot run here (no binary, no tmux): suites
 * report that as a skip, never as a pass.
 */
import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { ModelServer } from "./model-server.js";

const run = promisify(execFile);

export const ROOT = join(__dirname, "..", "..", "..");
export const CLAUDE_CODE_VERSION = "2.1.328";
export const MARKETPLACE = "node-red-contrib-claude-channel";
export const PLUGIN = "mqtt";
export const SERVER = "mqtt";
/** What Claude Code calls the plugin's tools: `mcp__plugin_<plugin>_<server>__<tool>`. */
export const toolName = (tool: string): string => `mcp__plugin_${PLUGIN}_${SERVER}__${tool}`;
/** The `source` attribute Claude Code gives the plugin server's channel events. */
export const CHANNEL_SOURCE = `plugin:${PLUGIN}:${SERVER}`;

const API_KEY = "sk-ant-api03-test-0123456789abcdefghijklmnopqrstuvwxyz-AAAAAAAAAAAAAAAAAAAA";
const SCREEN_POLL_MS = 150;

/**
 * The native binary. The package's postinstall only copies it from the platform package
 * over `bin/claude.exe`; reading it from the platform package works with scripts off too.
 */
export function claudeBinary(): string | undefined {
  if (binary === null) binary = findBinary();
  return binary;
}

let binary: string | undefined | null = null;

function findBinary(): string | undefined {
  const platform = `${process.platform}-${process.arch}`;
  const candidates = [
    join(ROOT, "node_modules", "@anthropic-ai", `claude-code-${platform}`, "claude"),
    join(ROOT, "node_modules", "@anthropic-ai", `claude-code-${platform}-musl`, "claude"),
    join(ROOT, "node_modules", "@anthropic-ai", "claude-code", "bin", "claude.exe"),
  ];
  return candidates.find((path) => existsSync(path) && runsAsClaude(path));
}

function runsAsClaude(path: string): boolean {
  const probe = spawnSync(path, ["--version"], { encoding: "utf8", env: baseEnv(tmpdir()), timeout: 30_000 });
  return probe.status === 0 && probe.stdout.includes(CLAUDE_CODE_VERSION);
}

let missingReason: string | undefined | null = null;

/**
 * Why the real Claude Code cannot be driven here, or undefined when it can. In CI
 * (`CI=true`, as .ci/run is run) these suites must run: there a missing piece is an error.
 */
export function claudeCodeMissing(): string | undefined {
  if (missingReason !== null) return missingReason;
  if (spawnSync("tmux", ["-V"], { encoding: "utf8" }).status !== 0) missingReason = "tmux is not installed (.ci/run installs it)";
  else if (!claudeBinary()) missingReason = `@anthropic-ai/claude-code ${CLAUDE_CODE_VERSION} is not installed for ${process.platform}-${process.arch} (npm ci installs it)`;
  else missingReason = undefined;
  if (missingReason !== undefined && process.env.CI === "true") throw new Error(`the real Claude Code suites must run in CI, but ${missingReason}`);
  return missingReason;
}

/** Only what Claude Code and the bridge need: none of the caller's API keys or Claude settings leak in. */
function baseEnv(home: string): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    TERM: "xterm-256color",
    LANG: "C.UTF-8",
    TMPDIR: tmpdir(),
    ANTHROPIC_API_KEY: API_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    // With non-essential traffic off no feature flags are fetched: read them from ~/.claude.json.
    CLAUDE_CODE_GB_DISK_CACHE_WHEN_TELEMETRY_OFF: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_BUG_COMMAND: "1",
  };
}

// ── the local marketplace ────────────────────────────────────────────────────

/** The committed files under `paths` (as a clone has them), copied to `dir`. */
export function copyCommitted(paths: string[], dir: string): void {
  const listed = spawnSync("git", ["ls-files", "-z", "--", ...paths], { cwd: ROOT, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  const files = listed.stdout.split("\0").filter((f) => f !== "" && existsSync(join(ROOT, f)));
  if (files.length === 0) throw new Error(`no committed files under ${paths.join(", ")}`);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
}

/** A marketplace directory holding what a clean clone of this repository has of the plugin. */
export function buildMarketplace(parent: string, name = MARKETPLACE): string {
  const dir = join(parent, name);
  copyCommitted([".claude-plugin", "plugin"], dir);
  return dir;
}

// ── one Claude Code run ──────────────────────────────────────────────────────

export interface ClaudeCodeOptions {
  model: ModelServer;
  /** The bridge's environment (MQTT_BROKER_URL, SESSION_NAME, SESSION_HOST, …). */
  bridgeEnv?: Record<string, string>;
  /** Files to put into the bridge's state dir (the default one, under the fresh HOME), e.g. `.env`, `sessions/<name>.json`. */
  stateFiles?: Record<string, string>;
}

export class ClaudeCode {
  private constructor(
    readonly home: string,
    readonly workDir: string,
    private readonly socket: string,
    private readonly env: Record<string, string>,
    private readonly root: string,
  ) {}

  /** The channel state dir the bridge uses when MQTT_STATE_DIR is not set. */
  get stateDir(): string {
    return join(this.home, ".claude", "channels", "mqtt");
  }

  /** Fresh HOME, plugin installed from a local marketplace, then Claude Code started and ready. */
  static async start(options: ClaudeCodeOptions): Promise<ClaudeCode> {
    const cc = ClaudeCode.prepare(options);
    try {
      for (const [relative, text] of Object.entries(options.stateFiles ?? {})) {
        const path = join(cc.stateDir, relative);
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeFileSync(path, text, { mode: 0o600 });
      }
      await cc.installPlugin();
      await cc.launch();
      return cc;
    } catch (err) {
      await cc.stop();
      throw err;
    }
  }

  /**
   * A fresh HOME with the settings that skip the first-run dialogs and turn channels on,
   * and `claude` on the PATH; nothing installed, nothing started.
   */
  static prepare(options: ClaudeCodeOptions): ClaudeCode {
    const root = mkdtempSync(join(tmpdir(), "claude-code-"));
    const home = join(root, "home");
    const workDir = join(root, "work");
    const bin = join(root, "bin");
    for (const dir of [home, workDir, bin]) mkdirSync(dir);
    symlinkSync(claudeBinary()!, join(bin, "claude"));
    const base = baseEnv(home);
    const env = { ...base, PATH: `${bin}:${base.PATH}`, ANTHROPIC_BASE_URL: options.model.url, ...options.bridgeEnv };
    const cc = new ClaudeCode(home, workDir, join(root, "tmux.sock"), env, root);
    cc.writeSettings();
    return cc;
  }

  /** `claude plugin marketplace add` a marketplace built from the committed files, then `claude plugin install`. */
  async installPlugin(): Promise<void> {
    const marketplace = buildMarketplace(join(this.root, "marketplace"));
    await this.claude(["plugin", "marketplace", "add", marketplace]);
    await this.claude(["plugin", "install", `${PLUGIN}@${MARKETPLACE}`]);
  }

  /** Runs a shell command line (e.g. one from the README) with this run's HOME, environment and `claude`. */
  async shell(line: string, cwd = this.workDir): Promise<{ stdout: string; stderr: string }> {
    try {
      return await run("sh", ["-c", line], { cwd, env: this.env, timeout: 60_000, encoding: "utf8" });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${line} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    }
  }

  /** Runs `claude <args>` (not interactive) with this run's HOME and environment. */
  async claude(args: string[], cwd = this.workDir): Promise<{ stdout: string; stderr: string }> {
    try {
      return await run(claudeBinary()!, args, { cwd, env: this.env, timeout: 60_000, encoding: "utf8" });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`claude ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    }
  }

  private writeSettings(): void {
    const key = this.env.ANTHROPIC_API_KEY!;
    const project = { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] };
    const state = {
      hasCompletedOnboarding: true,
      lastOnboardingVersion: CLAUDE_CODE_VERSION,
      lastReleaseNotesSeen: CLAUDE_CODE_VERSION,
      theme: "dark",
      customApiKeyResponses: { approved: [key.slice(-20)], rejected: [] },
      projects: { [this.workDir]: project },
      hasSeenAutoDefaultNotice: true,
      hasSeenAutoDefaultNudge: true,
      autoModeClassifierBillingNoticeAcknowledgedAt: new Date().toISOString(),
      officialMarketplaceAutoInstallAttempted: true,
      // Channels and the permission relay are behind these flags (read from this cache).
      cachedGrowthBookFeatures: { tengu_harbor: true, tengu_harbor_permissions: true },
    };
    writeFileSync(join(this.home, ".claude.json"), JSON.stringify(state, null, 2));
    mkdirSync(join(this.home, ".claude"), { recursive: true });
    const settings = { permissions: { defaultMode: "default", allow: [`mcp__plugin_${PLUGIN}_${SERVER}__*`] } };
    writeFileSync(join(this.home, ".claude", "settings.json"), JSON.stringify(settings, null, 2));
  }

  private tmux(args: string[]): ReturnType<typeof spawnSync> {
    return spawnSync("tmux", ["-S", this.socket, ...args], { encoding: "utf8", env: this.env });
  }

  /** Starts Claude Code with the plugin's channel in tmux, answers the warning and waits until the channel listens. */
  async launch(): Promise<void> {
    const command = `${shellQuote(claudeBinary()!)} --dangerously-load-development-channels plugin:${PLUGIN}@${MARKETPLACE}`;
    const started = this.tmux(["new-session", "-d", "-x", "200", "-y", "50", "-s", "cc", "-c", this.workDir, command]);
    if (started.status !== 0) throw new Error(`tmux new-session failed: ${String(started.stderr)}`);
    await this.waitForScreen(/I am using this for local development/, "the development-channels warning");
    this.keys("Enter");
    await this.waitForScreen(/inject directly in this session/, "the channel's ready line");
    // The ready line comes before Claude Code listens for the channel's notifications (it
    // registers the listener after the MCP handshake); what arrives before that is lost.
    await this.waitForMcpLog(/Channel notifications registered/, "the channel's notification listener");
  }

  /** Claude Code's log of the plugin's MCP server (its handshake, its stderr while connecting). */
  mcpLog(): string {
    const dir = join(this.home, ".cache", "claude-cli-nodejs");
    if (!existsSync(dir)) return "";
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((path) => path.includes(`mcp-logs-plugin-${PLUGIN}-${SERVER}`) && path.endsWith(".jsonl"))
      .map((path) => readFileSync(join(dir, path), "utf8"))
      .join("");
  }

  async waitForMcpLog(pattern: RegExp, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.mcpLog())) {
      if (Date.now() > deadline) throw new Error(`Claude Code's MCP log shows no ${what} within ${timeoutMs} ms:\n${this.mcpLog()}`);
      await new Promise((resolve) => setTimeout(resolve, SCREEN_POLL_MS));
    }
  }

  /** The visible screen, as text. */
  screen(): string {
    const captured = this.tmux(["capture-pane", "-p", "-t", "cc"]);
    return captured.status === 0 ? String(captured.stdout) : "";
  }

  async waitForScreen(pattern: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.screen();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`Claude Code did not show ${what} within ${timeoutMs} ms; the screen:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, SCREEN_POLL_MS));
    }
  }

  /** `promise`, with the screen added to its error: what Claude Code showed explains most failures. */
  async showingScreen<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nClaude Code's screen:\n${this.screen()}`);
    }
  }

  /** tmux key names (Enter, Escape, Down, C-c …). */
  keys(...keys: string[]): void {
    this.tmux(["send-keys", "-t", "cc", ...keys]);
  }

  /** Types text literally, then Enter. */
  type(text: string): void {
    this.tmux(["send-keys", "-t", "cc", "-l", text]);
    this.keys("Enter");
  }

  get running(): boolean {
    return this.tmux(["has-session", "-t", "cc"]).status === 0;
  }

  /** `/exit`, then waits for Claude Code (and the tmux session) to end. */
  async exit(timeoutMs = 30_000): Promise<void> {
    this.type("/exit");
    const deadline = Date.now() + timeoutMs;
    while (this.running) {
      if (Date.now() > deadline) throw new Error(`Claude Code did not exit within ${timeoutMs} ms; the screen:\n${this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, SCREEN_POLL_MS));
    }
  }

  /** Ends whatever still runs (tmux server, Claude Code, its MCP servers) and removes the run's files. */
  async stop(): Promise<void> {
    const started = this.running ? processTree(Number(String(this.tmux(["display-message", "-p", "-t", "cc", "#{pane_pid}"]).stdout).trim())) : [];
    if (existsSync(this.socket)) this.tmux(["kill-server"]);
    for (const pid of started) signal(pid, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (started.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const pid of started.filter(alive)) signal(pid, "SIGKILL");
    rmSync(this.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

/** `pid` and all its descendants. */
function processTree(pid: number): number[] {
  if (!Number.isInteger(pid) || pid <= 0) return [];
  const listed = spawnSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  const children = new Map<number, number[]>();
  for (const line of listed.stdout.split("\n")) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child === undefined || parent === undefined || Number.isNaN(child)) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: the process is gone.
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
