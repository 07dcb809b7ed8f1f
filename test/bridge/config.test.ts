import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, StartupError } from "../../mcp-bridge/config.js";
import { collapseRepeats, lineLogger, logPrefix, type LogLevel } from "../../mcp-bridge/log.js";
import { tempDir } from "../helpers/session.js";
import { bridgeEnv, spawnRaw } from "./harness.js";

type Env = Record<string, string | undefined>;

function recorder(): { log: (level: LogLevel, message: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level}: ${message}`) };
}

function stateWithEnvFile(text?: string): string {
  const dir = tempDir("claude-bridge-config-");
  if (text !== undefined) writeFileSync(join(dir, ".env"), text);
  return dir;
}

function startupError(fn: () => unknown): StartupError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StartupError) return err;
    throw err;
  }
  assert.fail("expected a StartupError");
}

describe("loadConfig", () => {
  test("without a .env it says so once, naming the path, and uses the defaults", () => {
    const dir = stateWithEnvFile();
    const { log, lines } = recorder();
    const config = loadConfig({ env: { MQTT_STATE_DIR: dir }, homeDir: "/nowhere", log });
    assert.deepEqual(lines, [`info: no .env file at ${join(dir, ".env")}: settings come from the environment and the defaults`]);
    assert.equal(config.settings.brokerUrl, "mqtt://localhost:1883");
    assert.equal(config.settings.sessionName, "default");
    assert.equal(config.settings.stateDir, dir);
    assert.equal(config.envFile, join(dir, ".env"));
  });

  test("the state directory defaults to ~/.claude/channels/mqtt", () => {
    const home = tempDir("claude-bridge-home-");
    const config = loadConfig({ env: {}, homeDir: home, log: () => undefined });
    assert.equal(config.settings.stateDir, join(home, ".claude", "channels", "mqtt"));
  });

  test(".env fills what the real environment leaves unset; the real environment wins", () => {
    const dir = stateWithEnvFile("MQTT_BROKER_URL=mqtt://from-file:1883\nQOS=2\nSESSION_NAME=filename\nOTHER_TOOL_SETTING=x\n");
    const env: Env = { MQTT_STATE_DIR: dir, SESSION_NAME: "realname" };
    const { log, lines } = recorder();
    const config = loadConfig({ env, homeDir: "/nowhere", log });
    assert.equal(config.settings.brokerUrl, "mqtt://from-file:1883");
    assert.equal(config.settings.qos, 2);
    assert.equal(config.settings.sessionName, "realname");
    // Every well-formed key is applied, as the reference does.
    assert.equal(env.OTHER_TOOL_SETTING, "x");
    assert.deepEqual(lines, [`info: set in the environment, so not taken from ${join(dir, ".env")}: SESSION_NAME`]);
  });

  test("MQTT_STATE_DIR in .env is ignored, with a warning naming the file and line", () => {
    const dir = stateWithEnvFile("# comment\nMQTT_STATE_DIR=/somewhere/else\n");
    const env: Env = { MQTT_STATE_DIR: dir };
    const { log, lines } = recorder();
    const config = loadConfig({ env, homeDir: "/nowhere", log });
    assert.equal(config.settings.stateDir, dir);
    assert.equal(env.MQTT_STATE_DIR, dir);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^warn: MQTT_STATE_DIR in .*\.env \(line 2\) is ignored/);
  });

  test("a .env that exists but cannot be read is an error naming it", () => {
    const dir = tempDir("claude-bridge-config-");
    mkdirSync(join(dir, ".env"));
    const error = startupError(() => loadConfig({ env: { MQTT_STATE_DIR: dir }, homeDir: "/nowhere", log: () => undefined }));
    assert.match(error.lines[0]!, new RegExp(`^cannot read ${join(dir, ".env").replace(/[.]/g, "\\.")}: `));
  });

  test("an empty MQTT_STATE_DIR is an error naming it", () => {
    const error = startupError(() => loadConfig({ env: { MQTT_STATE_DIR: "" }, homeDir: "/nowhere", log: () => undefined }));
    assert.match(error.message, /^MQTT_STATE_DIR="": empty/);
  });

  test("every bad value is reported at once, each with its variable and where it came from", () => {
    const dir = stateWithEnvFile("MQTT_BROKER_URL=mqtt://broker # prod\nHEARTBEAT_INTERVAL=5s\n");
    const error = startupError(() =>
      loadConfig({ env: { MQTT_STATE_DIR: dir, QOS: "0x10", MQTT_TOPIC_PREFIX: "a/#" }, homeDir: "/nowhere", log: () => undefined }),
    );
    assert.equal(error.lines[0], "cannot start: 4 settings are invalid");
    const text = error.lines.slice(1).join("\n");
    assert.match(text, /MQTT_BROKER_URL="mqtt:\/\/broker # prod" \(.*\.env line 1\): .*inline comments/);
    assert.match(text, /HEARTBEAT_INTERVAL="5s" \(.*\.env line 2\): not a whole number/);
    assert.match(text, /QOS="0x10" \(environment\): /);
    assert.match(text, /MQTT_TOPIC_PREFIX="a\/#" \(environment\): .*wildcard/);
  });

  test("a NUL in a .env value, which the environment would cut short, is an error naming the variable and line", () => {
    const dir = stateWithEnvFile("QOS=1\nSESSION_NAME=a\u0000b\n");
    const env: Env = { MQTT_STATE_DIR: dir };
    const error = startupError(() => loadConfig({ env, homeDir: "/nowhere", log: () => undefined }));
    assert.match(error.lines.join("\n"), /SESSION_NAME="a\\u0000b" \(.*\.env line 2\): contains the control character U\+0000/);
    assert.equal(env.SESSION_NAME, undefined, "nothing was applied");
  });

  test("a sanitised SESSION_NAME is a warning in the reference's words", () => {
    const dir = stateWithEnvFile();
    const { log, lines } = recorder();
    const config = loadConfig({ env: { MQTT_STATE_DIR: dir, SESSION_NAME: "my session!" }, homeDir: "/nowhere", log });
    assert.equal(config.settings.sessionName, "mysession");
    assert.ok(lines.includes('warn: SESSION_NAME sanitized from "my session!" to "mysession"'), lines.join("\n"));
    const out: string[] = [];
    lineLogger(logPrefix(), (t) => out.push(t))("warn", 'SESSION_NAME sanitized from "my session!" to "mysession"');
    assert.deepEqual(out, ['[mqtt-channel] WARNING: SESSION_NAME sanitized from "my session!" to "mysession"\n']);
  });

  test("TLS files are read, relative paths from the state directory; an unreadable one names its variable and path", () => {
    const dir = stateWithEnvFile();
    writeFileSync(join(dir, "ca.pem"), "CA");
    const config = loadConfig({
      env: { MQTT_STATE_DIR: dir, MQTT_BROKER_URL: "mqtts://broker:8883", MQTT_CA_FILE: "ca.pem", MQTT_REJECT_UNAUTHORIZED: "false" },
      homeDir: "/nowhere",
      log: () => undefined,
    });
    assert.equal(config.tls.ca?.toString(), "CA");
    assert.equal(config.tls.rejectUnauthorized, false);

    const error = startupError(() =>
      loadConfig({
        env: { MQTT_STATE_DIR: dir, MQTT_BROKER_URL: "mqtts://broker:8883", MQTT_CERT_FILE: "missing.crt", MQTT_KEY_FILE: join(dir, "missing.key") },
        homeDir: "/nowhere",
        log: () => undefined,
      }),
    );
    const text = error.lines.join("\n");
    assert.match(text, new RegExp(`MQTT_CERT_FILE: cannot read ${join(dir, "missing.crt")}`));
    assert.match(text, new RegExp(`MQTT_KEY_FILE: cannot read ${join(dir, "missing.key")}`));
  });
});

describe("log lines", () => {
  test("every line carries the prefix, and repeated lines are collapsed into a count", () => {
    const out: string[] = [];
    const log = collapseRepeats(lineLogger(logPrefix("kitchen"), (t) => out.push(t)));
    log("info", "two\nlines");
    log("warn", "MQTT error: connect ECONNREFUSED");
    log("warn", "MQTT error: connect ECONNREFUSED");
    log("warn", "MQTT error: connect ECONNREFUSED");
    log("info", "connected");
    assert.deepEqual(out.join("").split("\n").filter(Boolean), [
      "[mqtt-channel:kitchen] two",
      "[mqtt-channel:kitchen] lines",
      "[mqtt-channel:kitchen] WARNING: MQTT error: connect ECONNREFUSED",
      "[mqtt-channel:kitchen] WARNING: (the previous message was repeated 2 more times)",
      "[mqtt-channel:kitchen] connected",
    ]);
  });
});

describe("the bridge process with bad settings", () => {
  const cases: Array<[string, Record<string, string>, string | undefined, RegExp]> = [
    ["QOS out of range", { QOS: "5" }, undefined, /ERROR: +QOS="5" \(environment\): .*accepted: 0, 1 or 2/],
    ["an inline comment in .env", {}, "MQTT_BROKER_URL=mqtt://127.0.0.1:1 # local\n", /ERROR: +MQTT_BROKER_URL=.*\.env line 1/],
    ["an empty session name", { SESSION_NAME: "!!!" }, undefined, /ERROR: +SESSION_NAME=.*nothing is left/],
    ["SESSION_HOST=flow without a link key", { SESSION_HOST: "flow" }, undefined, /ERROR: SESSION_HOST=flow needs SESSION_LINK_KEY/],
    ["a missing CA file", { MQTT_BROKER_URL: "mqtts://127.0.0.1:1", MQTT_CA_FILE: "/no/such/ca.pem" }, undefined, /ERROR: +MQTT_CA_FILE: cannot read \/no\/such\/ca\.pem/],
  ];
  for (const [label, env, envFile, expected] of cases) {
    test(`${label}: exits 1 with a stderr line naming it, nothing on stdout`, async () => {
      const dir = stateWithEnvFile(envFile);
      const raw = spawnRaw(bridgeEnv({ env }, dir, "p", "alpha"));
      // Were the settings accepted after all, the closed stdin makes the bridge exit 0.
      raw.child.stdin?.end();
      const { code } = await raw.exited;
      assert.equal(code, 1, raw.stderr());
      assert.match(raw.stderr(), expected);
      assert.equal(raw.stdout(), "");
    });
  }
});
