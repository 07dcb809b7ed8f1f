import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { tempDir } from "../helpers/session.js";
import { processesWithEnv, runDemo } from "./run.js";

test("--check: a front-door event from the simulated Home Assistant reaches the Claude view, a temperature lands in the inbox, Claude's command switches the light; exit 0", { timeout: 120_000 }, async () => {
  const dir = tempDir("claude-demo-check-");
  const run = runDemo(["--check", "--dir", dir]);
  const { code } = await run.exited;
  const output = `${run.stdout()}\n${run.stderr()}`;
  assert.equal(code, 0, output);
  assert.match(
    run.stdout(),
    /check: the front door opened and Claude got\n {2}<channel source="plugin:mqtt:mqtt" tier="admitted" topic="homeassistant\/binary_sensor\/front_door" sender="unknown" ts="[^"]+" via="flow" entity_id="binary_sensor\.front_door">\nFront door \(binary_sensor\.front_door\): off → on\n<\/channel>\n/,
  );
  const reading = /check: the living room reads (\d+\.\d) °C, and the inbox tool shows\n {2}\d+ message\(s\) on homeassistant\/sensor\/living_room_temperature:\n/.exec(run.stdout());
  assert.ok(reading, output);
  // The reading as the Home Assistant flow's gate summarises a state change.
  assert.match(run.stdout(), new RegExp(`\\] unknown: Living room temperature \\(sensor\\.living_room_temperature\\): [\\d.]+ → ${reading[1]!.replace(".", "\\.")} \\[°C\\]\\n`));
  // Claude's command through claude-action and the Home Assistant action node, and the light's new state.
  assert.match(
    run.stdout(),
    /check: Claude published "on" to home\/commands\/light\/living_room; the flow answered\n {2}The flow handling home\/commands\/light\/living_room answered: light\.turn_on called on light\.living_room\nand Claude got\n {2}<channel [^>]*topic="homeassistant\/light\/living_room"[^>]*entity_id="light\.living_room">\nLiving room light \(light\.living_room\): off → on\n<\/channel>\n/,
  );
  assert.match(run.stdout(), /check: ok/);
  assert.equal(run.stderr(), "", "nothing on stderr");

  // The files a real Claude Code is pointed at.
  const stateDir = join(dir, "claude-code");
  const env = readFileSync(join(stateDir, ".env"), "utf8");
  assert.match(env, /^SESSION_NAME=home\nMQTT_BROKER_URL=mqtt:\/\/127\.0\.0\.1:\d+\nMQTT_TOPIC_PREFIX=claude\nSESSION_HOST=flow\nSESSION_LINK_KEY=[A-Za-z0-9_-]{43}\n$/);
  assert.equal(statSync(join(stateDir, ".env")).mode & 0o777, 0o600);
  const mcp = JSON.parse(readFileSync(join(stateDir, ".mcp.json"), "utf8")) as { mcpServers: { mqtt: { env: Record<string, string> } } };
  assert.equal(mcp.mcpServers.mqtt.env.MQTT_STATE_DIR, stateDir);

  const strays = processesWithEnv(`MQTT_STATE_DIR=${stateDir}`);
  if (strays !== undefined) assert.deepEqual(strays, [], "the bridge the demo started is gone");
});

test("--check in a temporary directory of its own when no --dir is given", { timeout: 120_000 }, async () => {
  const run = runDemo(["--check"]);
  const { code } = await run.exited;
  assert.equal(code, 0, `${run.stdout()}\n${run.stderr()}`);
  assert.match(run.stdout(), /check: ok/);
});

test("an unknown option is refused with the usage, exit 2", async () => {
  const run = runDemo(["--chek"]);
  const { code } = await run.exited;
  assert.equal(code, 2);
  assert.match(run.stderr(), /demo: unknown option "--chek"\nusage: npm run demo \[-- --check\] \[--port N\] \[--http-port N\] \[--dir PATH\]/);
});

test("a broker port in use: exit 1 with the reason and the way out, no stack trace", { timeout: 60_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
  const address = blocker.address();
  const port = typeof address === "object" && address ? address.port : 0;
  try {
    const run = runDemo(["--check", "--port", String(port), "--dir", tempDir("claude-demo-busy-")]);
    const { code } = await run.exited;
    assert.equal(code, 1);
    assert.equal(
      run.stderr(),
      `demo: the MQTT broker cannot listen on 127.0.0.1:${port}: the port is in use (choose another with --port, or leave --port out for a free port)\n`,
    );
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});
