/**
 * The package as a Node-RED user runs it: `npm pack`, installed from the tarball, and
 * loaded by a real `node-red` process whose flows are deployed through the admin API,
 * as the editor's Deploy button does.
 *
 * Installing takes seconds, so it happens once per tarball: the install lives in a
 * temporary directory named after the tarball's hash, shared by every suite (and every
 * run) until the packed files change. Each Node-RED gets a user directory of its own
 * whose `node_modules` points at that install.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./broker.js";
import { RED_JS } from "./node-red-runtime.js";
import { tempDir } from "./session.js";
import type { FlowNode } from "../../demo/example-flows.js";

export const ROOT = resolve(__dirname, "..", "..", "..");
export const PACKAGE = "node-red-contrib-claude-channel";
const INSTALLED_MARK = ".installed";

export interface InstalledPackage {
  /** The install prefix: `<dir>/node_modules/<PACKAGE>` is the package. */
  dir: string;
  moduleDir: string;
  /** The tarball's file list, as `npm pack` reports it. */
  files: string[];
  /** The bridge a user runs from the installed package (`claude-channel-bridge`). */
  bridgeScript: string;
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

let installed: InstalledPackage | undefined;

/**
 * Packs the working tree (build it first) and returns its install, installing the
 * tarball only when no install of the same tarball exists yet. Suites running at the
 * same time may both install; the first rename wins and the other copy is discarded.
 */
export function installedPackage(): InstalledPackage {
  if (installed) return installed;
  const packDir = tempDir("claude-pack-");
  try {
    // --ignore-scripts: the tests run on the build `npm test` made; prepack would rebuild dist/ under the running suites.
    const [packed] = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", packDir], ROOT)) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    if (!packed) throw new Error("npm pack reported no tarball");
    const tarball = join(packDir, packed.filename.replace(/^@.*\//, ""));
    const hash = createHash("sha256").update(readFileSync(tarball)).digest("hex").slice(0, 16);
    const dir = join(tmpdir(), `claude-channel-install-${hash}`);
    if (!existsSync(join(dir, INSTALLED_MARK))) {
      const staging = `${dir}.${randomUUID().slice(0, 8)}`;
      mkdirSync(staging);
      run("npm", ["install", "--prefix", staging, "--no-audit", "--no-fund", "--prefer-offline", tarball], staging);
      writeFileSync(join(staging, INSTALLED_MARK), `${tarball}\n`);
      try {
        renameSync(staging, dir);
      } catch (err) {
        // Another suite installed the same tarball first: use its copy.
        rmSync(staging, { recursive: true, force: true });
        if (!existsSync(join(dir, INSTALLED_MARK))) throw err;
      }
    }
    const moduleDir = join(dir, "node_modules", PACKAGE);
    installed = {
      dir,
      moduleDir,
      files: packed.files.map((f) => f.path),
      bridgeScript: join(moduleDir, "dist", "mcp-bridge", "main.js"),
    };
    return installed;
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}

export type { FlowNode };

/** One property an inject node sets (as in its `props`), e.g. `{p: "payload", v: "on", vt: "str"}`. */
export interface InjectProp {
  p: string;
  v?: string;
  vt?: "str" | "num" | "bool" | "json" | "date" | "jsonata" | "env" | "msg" | "flow" | "global";
}

export interface HttpResult {
  status: number;
  text: string;
}

export interface NodeRedOptions {
  /** A user directory to reuse (e.g. after a restart); default a new one. */
  userDir?: string;
  /** Fixed across restarts; default a free one. */
  port?: number;
  /** More node packages from this repository's node_modules for Node-RED to load (e.g. the Home Assistant nodes). */
  extraModules?: string[];
  /** Gives function nodes `global.get("activeResources")()`: the process' active handles and requests, by kind (for leak checks). */
  resourceProbe?: boolean;
}

type DeployType = "full" | "nodes" | "flows";

const STARTED = /\bStarted (flows|modified nodes|modified flows)\b/g;
const LISTENING = /Server now running at/;

/**
 * One `node-red` process with the installed package, on a loopback port, with no editor
 * authentication (the admin API is open, as in a fresh install) and a fixed
 * credentialSecret. `stop`/`kill`/`start` keep the user directory and port.
 */
export class NodeRed {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log = "";
  private logSinceStart = "";

  private constructor(
    readonly userDir: string,
    readonly port: number,
  ) {}

  /** Prepares a user directory for `pkg` and starts Node-RED on it. */
  static async start(pkg: InstalledPackage, options: NodeRedOptions = {}): Promise<NodeRed> {
    const userDir = options.userDir ?? tempDir("claude-userdir-");
    prepareUserDir(userDir, pkg, options.extraModules ?? [], options.resourceProbe ?? false);
    const red = new NodeRed(userDir, options.port ?? (await freePort()));
    await red.start();
    return red;
  }

  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process printed, over all its starts. */
  output(): string {
    return this.log;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error("Node-RED is already running");
    this.logSinceStart = "";
    const child = spawn(process.execPath, [RED_JS, "-u", this.userDir, "-p", String(this.port), "-s", join(this.userDir, "settings.js")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const append = (chunk: Buffer): void => {
      this.log += chunk.toString();
      this.logSinceStart += chunk.toString();
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    this.child = child;
    this.exited = new Promise((done) => child.once("exit", () => done()));
    try {
      await this.until(() => LISTENING.test(this.logSinceStart) && startedCount(this.logSinceStart) > 0, "Node-RED to start and run its flows", 60_000);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** Stops as Ctrl-C does: nodes close (a session publishes its offline status). */
  async stop(): Promise<void> {
    await this.signal("SIGINT");
  }

  /** Kills the process outright: nothing closes, the broker sees the connections drop. */
  async kill(): Promise<void> {
    await this.signal("SIGKILL");
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Deploys as the editor's Deploy button does and waits until the flows have started. */
  async deploy(flow: FlowNode[], type: DeployType = "full"): Promise<void> {
    const before = startedCount(this.logSinceStart);
    const result = await this.http("/flows", { method: "POST", body: flow, headers: { "Node-RED-Deployment-Type": type } });
    if (result.status !== 204 && result.status !== 200) throw new Error(`deploy failed (${result.status}): ${result.text}`);
    await this.until(() => startedCount(this.logSinceStart) > before, "the deployed flows to start", 30_000);
  }

  /** Presses an inject node's button (`POST /inject/<id>`); `props` replace the node's own, as the editor's inject dialog does. */
  async inject(id: string, props?: InjectProp[]): Promise<void> {
    const result = await this.http(`/inject/${id}`, { method: "POST", body: props ? { __user_inject_props__: props } : {} });
    if (result.status !== 200) throw new Error(`inject ${id} failed (${result.status}): ${result.text}`);
  }

  async http(path: string, options: { method?: "GET" | "POST"; body?: unknown; accept?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> {
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method: options.method ?? "GET",
      headers: { Accept: options.accept ?? "application/json", "Content-Type": "application/json", ...options.headers },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return { status: response.status, text: await response.text() };
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill(signal);
    await this.exited;
    this.child = undefined;
  }

  private async until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (!this.running) throw new Error(`Node-RED exited while waiting for ${what}:\n${this.logSinceStart}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.logSinceStart}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function startedCount(log: string): number {
  return log.match(STARTED)?.length ?? 0;
}

/**
 * `<userDir>/node_modules` is the install's node_modules; with extra modules it is a folder of
 * links instead: the package and each extra module (their dependencies resolve from where the
 * links point).
 */
function prepareUserDir(userDir: string, pkg: InstalledPackage, extraModules: readonly string[], resourceProbe: boolean): void {
  const modules = join(userDir, "node_modules");
  if (!existsSync(modules)) {
    if (extraModules.length === 0) {
      symlinkSync(join(pkg.dir, "node_modules"), modules, "dir");
    } else {
      mkdirSync(modules);
      symlinkSync(pkg.moduleDir, join(modules, PACKAGE), "dir");
      for (const name of extraModules) symlinkSync(join(ROOT, "node_modules", name), join(modules, name), "dir");
    }
  }
  writeFileSync(
    join(userDir, "settings.js"),
    `module.exports = ${JSON.stringify({
      flowFile: "flows.json",
      credentialSecret: "node-red-test-secret",
      diagnostics: { enabled: false },
      telemetry: { enabled: false },
      logging: { console: { level: "info" } },
    })};\n${resourceProbe ? "module.exports.functionGlobalContext = { activeResources: () => process.getActiveResourcesInfo() };\n" : ""}`,
  );
}
