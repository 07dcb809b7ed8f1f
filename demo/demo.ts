/**
 * The whole demo, started in order and stopped in reverse: the embedded broker, the
 * simulated home and the simulated Home Assistant in front of it, Node-RED with the example
 * flows deployed (the session "home" holding the link key, the Home Assistant nodes
 * pointed at the simulated Home Assistant), the bridge a Claude Code would run (the Claude
 * view) and its page.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { packageVersion } from "../session/package-version.js";
import { prepareClaudeCode, type ClaudeCodeSetup } from "./claude-code.js";
import { ClaudeView } from "./claude-view.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker.js";
import { combineFlows, exampleNames, homeAssistantCredentials, pointAtBroker, readExample } from "./example-flows.js";
import { SimulatedHomeAssistant } from "./home-assistant/server.js";
import { SimulatedHome } from "./home.js";
import { startNodeRed } from "./node-red.js";
import { ClaudePage, PAGE_PATH } from "./page.js";

/** A problem the user can fix (a port in use, say): reported as one line, without a stack. */
export class DemoError extends Error {}

export const DEMO_SESSION = "home";
export const DEMO_PREFIX = "claude";
/** The claude-session node of session "home" in the example flows. */
export const HOME_SESSION_NODE = "ha-session";
/** The Home Assistant `server` config node of the Home Assistant example. */
export const HOME_ASSISTANT_SERVER_NODE = "ha-server";

export interface DemoSettings {
  dir: string;
  brokerPort: number;
  httpPort: number;
  log: (line: string) => void;
  /** Node-RED's console level: "error" for the demo; the check shows warnings too, so a failure explains itself. */
  nodeRedLogLevel?: "error" | "warn";
}

export interface Demo {
  brokerUrl: string;
  editorUrl: string;
  pageUrl: string;
  claudeCode: ClaudeCodeSetup;
  broker: EmbeddedBroker;
  home: SimulatedHome;
  homeAssistant: SimulatedHomeAssistant;
  view: ClaudeView;
  /** Stops everything that started, last first. Runs once. */
  stop(): Promise<void>;
}

export async function startDemo(settings: DemoSettings): Promise<Demo> {
  const { dir, log } = settings;
  const started: Array<{ what: string; stop: () => Promise<void> }> = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const { what, stop: stopOne } of started.reverse()) {
        await stopOne().catch((err: unknown) => log(`stopping ${what} failed: ${err instanceof Error ? err.message : String(err)}`));
      }
    })());

  try {
    mkdirSync(dir, { recursive: true });
    const broker = await startEmbeddedBroker(settings.brokerPort).catch(portProblem("the MQTT broker", settings.brokerPort, "--port"));
    started.push({ what: "the broker", stop: () => broker.close() });
    const brokerUrl = `mqtt://127.0.0.1:${broker.port}`;
    const claudeCode = prepareClaudeCode(dir, { brokerUrl, prefix: DEMO_PREFIX, session: DEMO_SESSION });
    const home = await SimulatedHome.start(brokerUrl, (line) => log(`home: ${line}`));
    started.push({ what: "the simulated home", stop: () => home.stop() });
    const homeAssistantToken = randomBytes(24).toString("base64url");
    const homeAssistant = await SimulatedHomeAssistant.start(home, { token: homeAssistantToken });
    started.push({ what: "the simulated Home Assistant", stop: () => homeAssistant.close() });

    let page: ClaudePage | undefined;
    const red = await startNodeRed({
      userDir: dir,
      port: settings.httpPort,
      logLevel: settings.nodeRedLogLevel ?? "error",
      route: (req, res) => page?.route(req, res) ?? false,
    }).catch(
      portProblem("the editor and page", settings.httpPort, "--http-port"),
    );
    started.push({ what: "Node-RED", stop: () => red.stop() });
    const flow = pointAtBroker(combineFlows(exampleNames().map((name) => readExample(name))), brokerUrl);
    await red.deploy(flow, {
      ...homeAssistantCredentials(flow, homeAssistant.url, homeAssistantToken),
      [HOME_SESSION_NODE]: { linkKey: claudeCode.linkKey },
    });

    const view = await ClaudeView.start(claudeCode.stateDir, packageVersion(__dirname));
    started.push({ what: "the bridge", stop: () => view.close() });
    // Ctrl-C in a terminal reaches the bridge too: it leaving then is no news.
    view.on("lost", (stderr) => {
      if (stopping === undefined) log(`the bridge of the Claude view stopped; its last words:\n${stderr.trimEnd().split("\n").slice(-10).join("\n")}`);
    });
    page = new ClaudePage(view, { session: DEMO_SESSION, editorUrl: red.url });
    const shownPage = page;
    started.push({ what: "the page", stop: async () => shownPage.close() });

    return { brokerUrl, editorUrl: red.url, pageUrl: new URL(PAGE_PATH, red.url).href, claudeCode, broker, home, homeAssistant, view, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function portProblem(what: string, port: number, option: string): (err: unknown) => never {
  return (err) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      const why = code === "EADDRINUSE" ? "the port is in use" : "no permission to use the port";
      throw new DemoError(`${what} cannot listen on 127.0.0.1:${port}: ${why} (choose another with ${option}, or leave ${option} out for a free port)`);
    }
    throw err;
  };
}
