/**
 * The bridge's startup configuration, read in the reference plugin's order:
 *
 * 1. The state directory, from the real environment only (`MQTT_STATE_DIR`, default
 *    `~/.claude/channels/mqtt`): `.env` lives there, so `.env` cannot move it. An
 *    `MQTT_STATE_DIR` line in `.env` is ignored with a warning.
 * 2. `<stateDir>/.env`, applied to the environment where a variable is not already set
 *    (real env wins). A missing file is fine (logged once, naming the path); a file that
 *    exists but cannot be read is an error, not a silent fall-back to localhost.
 * 3. The settings (core's `parseSettings`): every bad variable is reported at once, each
 *    with where its value came from.
 * 4. The TLS files (`MQTT_CA_FILE`, `MQTT_CERT_FILE`, `MQTT_KEY_FILE`). A relative path is
 *    taken relative to the state directory, next to the `.env` that names it.
 *
 * Nothing here exits the process: failures are a StartupError whose lines main prints.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { applyEnvEntries, parseEnvFile, type EnvEntry } from "../core/dotenv.js";
import { ConfigError, parseSettings, resolveStateDir, type Settings } from "../core/settings.js";
import { brokerOf } from "../session/connection.js";
import type { BrokerOptions, TlsOptions } from "../session/types.js";
import type { Logger } from "./log.js";

export interface BridgeConfig {
  settings: Settings;
  tls: TlsOptions;
  /** Path of the `.env` file that was looked for. */
  envFile: string;
}

/** Why the bridge cannot start: one line per problem, each naming the variable or file. */
export class StartupError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join("\n"));
    this.name = "StartupError";
    this.lines = lines;
  }
}

export interface ConfigInput {
  /** The process environment; `.env` entries are applied to it, as the reference does. */
  env: Record<string, string | undefined>;
  homeDir: string;
  log: Logger;
}

const STATE_DIR_VARIABLE = "MQTT_STATE_DIR";
const TLS_FILES = [
  ["MQTT_CA_FILE", "caFile", "ca"],
  ["MQTT_CERT_FILE", "certFile", "cert"],
  ["MQTT_KEY_FILE", "keyFile", "key"],
] as const;

/** The broker the settings name, with the TLS files read. */
export function brokerOptions(config: BridgeConfig): BrokerOptions {
  const s = config.settings;
  return brokerOf({
    brokerUrl: s.brokerUrl,
    ...(s.username !== undefined ? { username: s.username } : {}),
    ...(s.password !== undefined ? { password: s.password } : {}),
    tls: config.tls,
  });
}

export function loadConfig(input: ConfigInput): BridgeConfig {
  const { env, homeDir, log } = input;
  const stateDir = stateDirectory(env, homeDir);
  const envFile = join(stateDir, ".env");
  const fromFile = applyEnvFile(env, envFile, log);
  const settings = settingsFrom(env, homeDir, envFile, fromFile, log);
  return { settings, tls: readTlsFiles(settings), envFile };
}

function stateDirectory(env: Record<string, string | undefined>, homeDir: string): string {
  try {
    return resolveStateDir(env, homeDir);
  } catch (err) {
    if (err instanceof ConfigError) throw new StartupError(err.problems.map((p) => `${p.variable}=${JSON.stringify(p.value)}: ${p.message}`));
    throw err;
  }
}

/** Reads and applies `.env`; returns the entries taken from it, by variable. */
function applyEnvFile(env: Record<string, string | undefined>, path: string, log: Logger): Map<string, EnvEntry> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      log("info", `no .env file at ${path}: settings come from the environment and the defaults`);
      return new Map();
    }
    throw new StartupError([`cannot read ${path}: ${(err as Error).message}`]);
  }
  const entries: EnvEntry[] = [];
  for (const entry of parseEnvFile(text)) {
    if (entry.key === STATE_DIR_VARIABLE) {
      log(
        "warn",
        `${STATE_DIR_VARIABLE} in ${path} (line ${entry.line}) is ignored: .env is read from the state directory, so only the real environment can set it`,
      );
      continue;
    }
    entries.push(entry);
  }
  // The environment cuts a value at a NUL ("a\0b" would become "a"): refuse it while it is whole.
  const cut = entries.filter((entry) => entry.value.includes("\u0000"));
  if (cut.length > 0) {
    throw new StartupError([
      `cannot start: ${cut.length} setting${cut.length === 1 ? " is" : "s are"} invalid`,
      ...cut.map((e) => `  ${e.key}=${JSON.stringify(e.value)} (${path} line ${e.line}): contains the control character U+0000, which an environment variable cannot hold; accepted: a value without it`),
    ]);
  }
  const { applied, shadowed } = applyEnvEntries(env, entries);
  if (shadowed.length > 0) log("info", `set in the environment, so not taken from ${path}: ${shadowed.join(", ")}`);
  const byKey = new Map<string, EnvEntry>();
  for (const entry of entries) {
    if (applied.includes(entry.key) && !byKey.has(entry.key)) byKey.set(entry.key, entry);
  }
  return byKey;
}

function settingsFrom(
  env: Record<string, string | undefined>,
  homeDir: string,
  envFile: string,
  fromFile: Map<string, EnvEntry>,
  log: Logger,
): Settings {
  try {
    const { settings, warnings } = parseSettings(env, homeDir);
    for (const warning of warnings) log("warn", warning);
    return settings;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const origin = (variable: string): string => {
      const entry = fromFile.get(variable);
      if (entry) return `${envFile} line ${entry.line}`;
      return env[variable] === undefined ? "unset" : "environment";
    };
    const count = err.problems.length;
    throw new StartupError([
      `cannot start: ${count} setting${count === 1 ? " is" : "s are"} invalid`,
      ...err.problems.map((p) => `  ${p.variable}=${JSON.stringify(p.value)} (${origin(p.variable)}): ${p.message}`),
    ]);
  }
}

function readTlsFiles(settings: Settings): TlsOptions {
  const tls: TlsOptions = { rejectUnauthorized: settings.rejectUnauthorized };
  const problems: string[] = [];
  for (const [variable, setting, option] of TLS_FILES) {
    const path = settings[setting];
    if (path === undefined) continue;
    const absolute = resolve(settings.stateDir, path);
    try {
      tls[option] = readFileSync(absolute);
    } catch (err) {
      problems.push(`  ${variable}: cannot read ${absolute}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new StartupError(["cannot start: a TLS file named in the settings cannot be read", ...problems]);
  return tls;
}
