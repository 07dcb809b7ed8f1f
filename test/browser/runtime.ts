/**
 * A real `node-red` process with this package in its user directory (linked to the
 * built working tree, as `npm install <path>` would), for the tests that need the
 * editor's own HTTP server: adminAuth, the browser, the README's screenshots.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort } from "../helpers/broker.js";
import { RED_JS } from "../helpers/node-red-runtime.js";
import { tempDir } from "../helpers/session.js";

const ROOT = resolve(__dirname, "..", "..", "..");
const PACKAGE = "node-red-contrib-claude-channel";
const START_TIMEOUT_MS = 60_000;

export interface FlowNode {
  id: string;
  type: string;
  [property: string]: unknown;
}

export interface AdminUser {
  username: string;
  password: string;
  /** Node-RED permissions: "*", "read", or a list such as ["flows.read"]. */
  permissions: string | string[];
}

export interface NodeRedOptions {
  /** Editor and admin API users; without them the admin API is open, as in a fresh install. */
  users?: AdminUser[];
}

export interface RunningNodeRed {
  readonly url: string;
  /** Everything the process has printed so far. */
  output(): string;
  /** An access token from POST /auth/token (password grant), with the user's own permissions, as the editor's login gets one. */
  token(username: string, password: string): Promise<string>;
  /** Deploys a full flow (credentials inline, as the editor sends them). */
  deploy(flow: FlowNode[], token?: string): Promise<void>;
  stop(): Promise<void>;
}

function settingsFile(port: number, users: AdminUser[] | undefined): string {
  const settings = [
    `flowFile: "flows.json"`,
    `credentialSecret: "claude-channel-test"`,
    `uiHost: "127.0.0.1"`,
    `uiPort: ${port}`,
    `diagnostics: { enabled: false }`,
    // Node-RED 5 asks about telemetry in a dialog over the workspace until this is set.
    `telemetry: { enabled: false }`,
    `telemetry: { enabled: false }`,
    `editorTheme: { tours: false, projects: { enabled: false } }`,
    `logging: { console: { level: "info" } }`,
  ];
  if (users) {
    // A plain-text check keeps the test free of bcrypt; Node-RED's permission checks are the same either way.
    settings.push(`adminAuth: {
    type: "credentials",
    users: ${JSON.stringify(users.map(({ username, permissions }) => ({ username, permissions })))},
    authenticate: function (username, password) {
      const known = ${JSON.stringify(users)}.find((u) => u.username === username && u.password === password);
      return Promise.resolve(known ? { username: known.username, permissions: known.permissions } : null);
    }
  }`);
  }
  return `module.exports = {\n  ${settings.join(",\n  ")}\n};\n`;
}

export async function startNodeRed(options: NodeRedOptions = {}): Promise<RunningNodeRed> {
  const userDir = tempDir("claude-editor-");
  mkdirSync(join(userDir, "node_modules"));
  const link = join(userDir, "node_modules", PACKAGE);
  symlinkSync(ROOT, link, "dir");
  const port = await freePort();
  const settings = join(userDir, "settings.js");
  writeFileSync(settings, settingsFile(port, options.users));

  let output = "";
  const child = spawn(process.execPath, [RED_JS, "-u", userDir, "-s", settings], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  await new Promise<void>((ready, fail) => {
    const check = (): void => {
      if (/Server now running/.test(output)) ready();
      else if (child.exitCode !== null) fail(new Error(`Node-RED exited before it was ready:\n${output}`));
      else if (Date.now() > deadline) {
        child.kill("SIGKILL");
        fail(new Error(`Node-RED did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`));
      } else setTimeout(check, 50);
    };
    check();
  });

  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    output: () => output,
    async token(username, password) {
      const response = await fetch(`${url}auth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_id: "node-red-editor", grant_type: "password", scope: "", username, password }),
      });
      if (!response.ok) throw new Error(`POST /auth/token for ${username}: HTTP ${response.status}`);
      const body = (await response.json()) as { access_token?: unknown };
      if (typeof body.access_token !== "string") throw new Error(`POST /auth/token for ${username}: no access token`);
      return body.access_token;
    },
    async deploy(flow, token) {
      const response = await fetch(`${url}flows`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Node-RED-Deployment-Type": "full",
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(flow),
      });
      if (response.status !== 204) throw new Error(`deploy: HTTP ${response.status} ${await response.text()}\n${output}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGINT");
      await exited;
      // The link first, so that removing the user directory can never reach the working tree.
      unlinkSync(link);
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
