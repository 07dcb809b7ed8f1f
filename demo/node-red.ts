/**
 * Node-RED embedded in the demo's process: `RED.init(server, settings)` + `RED.start()`,
 * with its user directory in the demo's directory and this package visible to it as
 * `<userDir>/node_modules/node-red-contrib-claude-channel` (a link to the repository),
 * so its nodes load and Import ▸ Examples lists its example flows; the Home Assistant
 * nodes (a devDependency) are linked in beside it.
 *
 * The editor has no login: the HTTP server listens on 127.0.0.1 only. Node-RED logs
 * errors only. Flows are replaced through the runtime API, as the editor's
 * Deploy does; every start begins with no flows (the demo deploys its own).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import RED = require("node-red");
import type { FlowNode } from "./example-flows.js";

export const ROOT = join(__dirname, "..", "..");
const PACKAGE = "node-red-contrib-claude-channel";
const HOME_ASSISTANT_NODES = "node-red-contrib-home-assistant-websocket";

/** Handles a request and returns true, or returns false to leave it to Node-RED. */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface EmbeddedNodeRed {
  /** The editor, e.g. http://127.0.0.1:1880/ */
  url: string;
  deploy(flow: readonly FlowNode[], credentials: Record<string, Record<string, string>>): Promise<void>;
  stop(): Promise<void>;
}

export async function startNodeRed(options: { userDir: string; port: number; logLevel: "error" | "warn"; route: Route }): Promise<EmbeddedNodeRed> {
  const { userDir } = options;
  linkPackage(userDir, PACKAGE, ROOT);
  linkPackage(userDir, HOME_ASSISTANT_NODES, join(ROOT, "node_modules", HOME_ASSISTANT_NODES));
  writeFileSync(join(userDir, "flows.json"), "[]\n");
  rmSync(join(userDir, "flows_cred.json"), { force: true });

  let ready = false;
  const server = createServer((req, res) => {
    if (!ready) {
      res.writeHead(503, { "Retry-After": "1" }).end("Node-RED is starting");
      return;
    }
    if (options.route(req, res)) return;
    // Express apps are plain (req, res, next) handlers, which is how http.createServer(app) works.
    const admin = RED.httpAdmin as unknown as Handler;
    const node = RED.httpNode as unknown as Handler;
    admin(req, res, () =>
      node(req, res, () => {
        res.statusCode = 404;
        res.end("not found");
      }),
    );
  });
  // Listen first: a port in use is then found before anything else has started.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;

  const settings: Parameters<typeof RED.init>[1] = {
    userDir,
    uiHost: "127.0.0.1",
    uiPort: port,
    flowFile: "flows.json",
    // The link key is also in the bridge's .env in plain text: encrypting this copy would protect nothing.
    credentialSecret: false,
    httpAdminRoot: "/",
    httpNodeRoot: "/",
    logging: { console: { level: options.logLevel, metrics: false, audit: false } },
  };
  // Settings of Node-RED 4 that @types/node-red does not know yet.
  RED.init(server, Object.assign(settings, { diagnostics: { enabled: false }, telemetry: { enabled: false }, editorTheme: { tours: false } }));
  try {
    await RED.start();
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  ready = true;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    deploy: async (flow, credentials) => {
      await RED.runtime.flows.setFlows({ flows: { flows: [...flow], credentials } });
    },
    stop: () => (stopping ??= stop(server)),
  };
}

async function stop(server: Server): Promise<void> {
  await RED.stop();
  await closeServer(server);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/** `<userDir>/node_modules/<name>` → `target`, made (or corrected) as needed. */
function linkPackage(userDir: string, name: string, target: string): void {
  const modules = join(userDir, "node_modules");
  mkdirSync(modules, { recursive: true });
  const link = join(modules, name);
  let existing: string | undefined;
  try {
    const stat = lstatSync(link);
    if (!stat.isSymbolicLink()) throw new Error(`${link} is not a link to ${target}: remove it, or run the demo with another --dir`);
    existing = readlinkSync(link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (existing === target) return;
  if (existing !== undefined) rmSync(link);
  symlinkSync(target, link, "dir");
}
