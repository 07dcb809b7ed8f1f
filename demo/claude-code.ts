/**
 * What a real Claude Code needs to join the demo's session: a state directory with the
 * bridge's `.env` (flow mode, the session's link key) and a `.mcp.json` for the
 * no-plugin form, and the commands that start it. The link key is kept across runs in
 * that `.env`, so a Claude Code set up once keeps working after the demo restarts.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnvFile } from "../core/dotenv.js";
import { MIN_LINK_KEY_LENGTH } from "../core/limits.js";
import { BRIDGE_MAIN } from "./claude-view.js";

export const PLUGIN = "plugin:mqtt@node-red-contrib-claude-channel";
const SERVER_KEY = "mqtt";

export interface SessionLink {
  brokerUrl: string;
  prefix: string;
  session: string;
}

export interface ClaudeCodeSetup {
  /** The bridge's MQTT_STATE_DIR. */
  stateDir: string;
  envPath: string;
  envText: string;
  linkKey: string;
  /** With the plugin installed. */
  pluginCommand: string;
  /** Without the plugin: the `.mcp.json` in `stateDir` runs this checkout's bridge. */
  serverCommand: string;
}

export function prepareClaudeCode(dir: string, link: SessionLink): ClaudeCodeSetup {
  const stateDir = join(dir, "claude-code");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const envPath = join(stateDir, ".env");
  const linkKey = keptKey(envPath) ?? randomBytes(32).toString("base64url");
  const envText = [
    `SESSION_NAME=${link.session}`,
    `MQTT_BROKER_URL=${link.brokerUrl}`,
    `MQTT_TOPIC_PREFIX=${link.prefix}`,
    "SESSION_HOST=flow",
    `SESSION_LINK_KEY=${linkKey}`,
    "",
  ].join("\n");
  writeSecret(envPath, envText);
  const mcpJson = { mcpServers: { [SERVER_KEY]: { command: "node", args: [BRIDGE_MAIN], env: { MQTT_STATE_DIR: stateDir } } } };
  writeFileSync(join(stateDir, ".mcp.json"), `${JSON.stringify(mcpJson, null, 2)}\n`);
  return {
    stateDir,
    envPath,
    envText,
    linkKey,
    pluginCommand: `MQTT_STATE_DIR=${shellWord(stateDir)} claude --dangerously-load-development-channels ${PLUGIN}`,
    serverCommand: `cd ${shellWord(stateDir)} && claude --dangerously-load-development-channels server:${SERVER_KEY}`,
  };
}

function keptKey(envPath: string): string | undefined {
  if (!existsSync(envPath)) return undefined;
  const entry = parseEnvFile(readFileSync(envPath, "utf8")).find((e) => e.key === "SESSION_LINK_KEY");
  return entry && entry.value.length >= MIN_LINK_KEY_LENGTH ? entry.value : undefined;
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** A path as one shell word: quoted only when it needs to be. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
