#!/usr/bin/env node
/**
 * `npm run demo`: the embedded broker, Node-RED with the example flows, a simulated
 * home and the "what Claude sees" page, until Ctrl-C. `npm run demo -- --check` starts
 * the same, proves a door event and a temperature reading reach Claude, and exits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CheckFailure, runCheck } from "./check.js";
import { DEMO_SESSION, DemoError, startDemo, type Demo } from "./demo.js";
import { ROOT } from "./node-red.js";
import { parseOptions, UsageError, USAGE, type DemoOptions } from "./options.js";

const STOP_DEADLINE_MS = 10_000;
const log = (line: string): void => console.log(line);

async function main(): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`demo: ${err.message}\n${USAGE}`);
    return 2;
  }
  const temporary = options.check && !options.dir ? mkdtempSync(join(tmpdir(), "claude-channel-demo-")) : undefined;
  const dir = temporary ?? resolve(options.dir ?? join(ROOT, ".demo"));
  try {
    return options.check ? await check(dir, options) : await interactive(dir, options);
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}

async function check(dir: string, options: DemoOptions): Promise<number> {
  log("check: starting the broker, Node-RED, the example flows, the simulated home and the bridge…");
  const demo = await startDemo({ dir, brokerPort: options.brokerPort ?? 0, httpPort: options.httpPort ?? 0, log, nodeRedLogLevel: "warn" });
  try {
    await runCheck(demo, log);
    log("check: ok — the door event reached Claude as a channel notification, the reading is in its inbox, Claude switched the light through Home Assistant");
    return 0;
  } catch (err) {
    if (!(err instanceof CheckFailure)) throw err;
    console.error(`check: FAILED — ${err.message}`);
    return 1;
  } finally {
    await stopWithin(demo);
  }
}

async function interactive(dir: string, options: DemoOptions): Promise<number> {
  const demo = await startDemo({ dir, brokerPort: options.brokerPort ?? 0, httpPort: options.httpPort ?? 0, log });
  demo.home.live();
  log(banner(demo, dir));
  await new Promise<void>((done) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => done());
  });
  log("\nstopping the demo…");
  await stopWithin(demo);
  log("stopped.");
  return 0;
}

/** Stops the demo; a part that hangs past the deadline is reported, and the exit goes ahead. */
async function stopWithin(demo: Demo): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((done) => {
    timer = setTimeout(() => {
      console.error(`demo: not everything stopped within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`);
      done();
    }, STOP_DEADLINE_MS);
  });
  await Promise.race([demo.stop(), late]);
  clearTimeout(timer);
}

function banner(demo: Demo, dir: string): string {
  const { claudeCode } = demo;
  return [
    "",
    "Claude channel demo is running.",
    "",
    `  Node-RED editor     ${demo.editorUrl}`,
    `  What Claude sees    ${demo.pageUrl}`,
    `  MQTT broker         ${demo.brokerUrl} (embedded)`,
    `  Home Assistant      ${demo.homeAssistant.url} (simulated; the Home Assistant nodes use it)`,
    `  Files               ${dir}`,
    "",
    "The simulated home, seen through the simulated Home Assistant and its real Node-RED nodes:",
    "the front door opens every minute (admitted: Claude hears it at once), temperatures every 15 s",
    "(watched: they wait in Claude's inbox), the Wi-Fi signal every 3 s (muted), and a living room",
    "light that Home Assistant's light.turn_on / turn_off switch (and ON/OFF on home/light/living_room/set).",
    "",
    `Connect a real Claude Code to session "${DEMO_SESSION}" (the bridge reads ${claudeCode.envPath}):`,
    "",
    ...claudeCode.envText.trimEnd().split("\n").map((line) => `    ${line}`),
    "",
    "  with the plugin installed (README, \"Install the plugin\"):",
    `    ${claudeCode.pluginCommand}`,
    "  or with this checkout's bridge, no plugin:",
    `    ${claudeCode.serverCommand}`,
    "",
    "  Then ask Claude \"is the garage open?\" (it asks the flow's session garage with its request tool),",
    "  or to publish on to home/commands/light/living_room (the flow calls light.turn_on in Home Assistant).",
    "",
    "Ctrl-C stops the demo.",
  ].join("\n");
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const text = err instanceof DemoError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    console.error(`demo: ${text}`);
    process.exit(1);
  },
);
