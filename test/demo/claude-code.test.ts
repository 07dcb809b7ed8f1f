import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { parseSettings } from "../../core/settings.js";
import { parseEnvFile } from "../../core/dotenv.js";
import { channelTag } from "../../demo/channel-tag.js";
import { prepareClaudeCode, shellWord } from "../../demo/claude-code.js";
import { tempDir } from "../helpers/session.js";

const link = { brokerUrl: "mqtt://127.0.0.1:41883", prefix: "claude", session: "home" };

test("the .env for Claude Code is one the bridge accepts: flow mode, the session's link key", () => {
  const dir = tempDir("claude-code-setup-");
  const setup = prepareClaudeCode(dir, link);
  const env = Object.fromEntries(parseEnvFile(readFileSync(setup.envPath, "utf8")).map((e) => [e.key, e.value]));
  const { settings } = parseSettings({ ...env, MQTT_STATE_DIR: setup.stateDir }, "/home/nobody");
  assert.equal(settings.sessionHost, "flow");
  assert.equal(settings.linkKey, setup.linkKey);
  assert.equal(settings.brokerUrl, link.brokerUrl);
  assert.equal(settings.sessionName, "home");
  assert.equal(setup.pluginCommand, `MQTT_STATE_DIR=${setup.stateDir} claude --dangerously-load-development-channels plugin:mqtt@node-red-contrib-claude-channel`);
});

test("the link key is kept across runs, so a Claude Code set up once still fits; a broken one is replaced", () => {
  const dir = tempDir("claude-code-setup-");
  const first = prepareClaudeCode(dir, link);
  const second = prepareClaudeCode(dir, { ...link, brokerUrl: "mqtt://127.0.0.1:41999" });
  assert.equal(second.linkKey, first.linkKey);
  assert.match(readFileSync(second.envPath, "utf8"), /MQTT_BROKER_URL=mqtt:\/\/127\.0\.0\.1:41999/);
  writeFileSync(second.envPath, "SESSION_LINK_KEY=short\n");
  const third = prepareClaudeCode(dir, link);
  assert.notEqual(third.linkKey, "short");
  assert.equal(third.linkKey.length, 43);
});

test("paths are quoted for the shell only when they need it", () => {
  assert.equal(shellWord("/home/ann/node-red/.demo/claude-code"), "/home/ann/node-red/.demo/claude-code");
  assert.equal(shellWord("/home/ann/my demo/it's"), `'/home/ann/my demo/it'\\''s'`);
});

test("a notification reads as Claude Code shows it: its source first, one attribute per meta key, in order", () => {
  assert.equal(
    channelTag({ content: "Front door: off → on", meta: { tier: "admitted", topic: "homeassistant/binary_sensor/front_door", sender: "unknown", odd: 'a"b' } }),
    '<channel source="plugin:mqtt:mqtt" tier="admitted" topic="homeassistant/binary_sensor/front_door" sender="unknown" odd="a&quot;b">\nFront door: off → on\n</channel>',
  );
});
