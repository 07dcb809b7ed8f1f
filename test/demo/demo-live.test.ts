import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/session.js";
import { processesWithEnv, runDemo, type DemoRun } from "./run.js";

async function waitForOutput(run: DemoRun, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  for (;;) {
    const found = pattern.exec(run.stdout());
    if (found) return found;
    if (run.child.exitCode !== null) throw new Error(`the demo exited before ${what}:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads a server-sent event stream until an event named `event` whose data matches `pattern`. */
async function nextEvent(url: string, event: string, pattern: RegExp, trigger: () => Promise<void>): Promise<string> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.getReader();
  let buffer = "";
  let triggered = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the event stream ended without a matching ${event} event:\n${buffer}`);
      buffer += Buffer.from(value).toString();
      // The first chunk (retry: …) says the stream is open: now make the event happen.
      if (!triggered) {
        triggered = true;
        await trigger();
      }
      for (const block of buffer.split("\n\n")) {
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (name === event && data !== undefined && pattern.test(data)) return data;
      }
    }
  } finally {
    controller.abort();
  }
}

test("npm run demo: prints the URLs and how to connect Claude Code, serves the editor, the examples and the live Claude view; Ctrl-C stops it all", { timeout: 120_000 }, async () => {
  const dir = tempDir("claude-demo-live-");
  const run = runDemo(["--dir", dir]);
  try {
    await waitForOutput(run, /Ctrl-C stops the demo\.\n/, "it was ready");
    const out = run.stdout();
    const editor = /Node-RED editor {5}(http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(out)?.[1];
    const page = /What Claude sees {4}(http:\/\/127\.0\.0\.1:\d+\/claude-view\/)\n/.exec(out)?.[1];
    assert.ok(editor && page, out);
    const stateDir = join(dir, "claude-code");
    assert.match(out, /\n {4}SESSION_NAME=home\n {4}MQTT_BROKER_URL=mqtt:\/\/127\.0\.0\.1:\d+\n {4}MQTT_TOPIC_PREFIX=claude\n {4}SESSION_HOST=flow\n {4}SESSION_LINK_KEY=[A-Za-z0-9_-]{43}\n/);
    assert.ok(out.includes(`MQTT_STATE_DIR=${stateDir} claude --dangerously-load-development-channels plugin:mqtt@node-red-contrib-claude-channel\n`), out);
    assert.ok(out.includes(`cd ${stateDir} && claude --dangerously-load-development-channels server:mqtt\n`), out);

    const editorPage = await fetch(editor);
    assert.equal(editorPage.status, 200);
    assert.match(await editorPage.text(), /Node-RED/);
    // Import ▸ Examples ▸ node-red-contrib-claude-channel ▸ …
    const examples = await fetch(new URL("library/examples/flows/node-red-contrib-claude-channel", editor), { headers: { Accept: "application/json" } });
    assert.equal(examples.status, 200);
    assert.deepEqual(
      ((await examples.json()) as Array<{ fn: string }>).map((entry) => entry.fn),
      ["answer-a-request", "approve-from-phone", "home-assistant-stand-ins", "home-assistant-triggers", "mqtt-statestream", "switch-a-light", "two-sessions-talking"],
    );
    const deployed = (await (await fetch(new URL("flows", editor), { headers: { Accept: "application/json" } })).json()) as Array<{ type: string; label?: string }>;
    assert.deepEqual(
      deployed.filter((n) => n.type === "tab").map((n) => n.label),
      ["Answer Claude's request", "Approve from a phone", "Home Assistant → Claude (stand-ins)", "Home Assistant ↔ Claude", "Statestream → Claude", "Claude switches a light", "Two Claude sessions"],
    );

    const html = await (await fetch(page)).text();
    assert.match(html, /What Claude sees — session “home”/);
    // Pressing the front-door inject in the editor (its button posts to /inject/<id>) shows up live as Claude reads it.
    const shown = await nextEvent(new URL("events", page).href, "notification", /homeassistant\/binary_sensor\/front_door/, async () => {
      const pressed = await fetch(new URL("inject/ha-door", editor), { method: "POST" });
      assert.equal(pressed.status, 200);
    });
    assert.match(
      (JSON.parse(shown) as { tag: string }).tag,
      /^<channel source="plugin:mqtt:mqtt" tier="admitted" topic="homeassistant\/binary_sensor\/front_door" sender="unknown" ts="[^"]+" via="flow" entity_id="binary_sensor\.front_door">\nFront door \(binary_sensor\.front_door\): off → on\n<\/channel>$/,
    );
    // The inbox refreshes every few seconds; the temperatures are in it once a reading came.
    const inbox = await nextEvent(new URL("events", page).href, "inbox", /living_room_temperature: \d+ message/, async () => undefined);
    assert.match(inbox, /homeassistant\/sensor\/living_room_temperature: \d+ message\(s\) from unknown/);
  } finally {
    run.child.kill("SIGINT");
  }
  const { code } = await run.exited;
  assert.equal(code, 0, run.stderr());
  assert.match(run.stdout(), /\nstopping the demo…\nstopped\.\n$/);
  assert.equal(run.stderr(), "");
  const strays = processesWithEnv(`MQTT_STATE_DIR=${join(dir, "claude-code")}`);
  if (strays !== undefined) assert.deepEqual(strays, [], "the bridge the demo started is gone");
});
