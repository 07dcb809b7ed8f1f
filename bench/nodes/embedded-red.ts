/**
 * A real Node-RED runtime in this process, as an embedding application starts one
 * (`RED.init` + `RED.start`, no editor, no HTTP), with this package installed in its
 * user directory (a symlink in `<userDir>/node_modules`, so Node-RED finds the built
 * nodes through package.json as it finds any contrib package) and a flow file
 * written before it starts. Warnings and errors are collected, not printed.
 * Node-RED can start only once per process.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { paths } from "../lib/paths.js";
import type { FlowNode } from "../../demo/example-flows.js";

export type { FlowNode };

/** The part of a runtime node the bench uses: give it a message, listen to what it gets. */
export interface RuntimeNode {
  receive(msg: Record<string, unknown>): void;
  on(event: "input", listener: (msg: Record<string, unknown>) => void): void;
  off(event: "input", listener: (msg: Record<string, unknown>) => void): void;
}

export interface EmbeddedRed {
  node(id: string): RuntimeNode;
  /** Warnings and errors logged by the runtime and its nodes. */
  problems: string[];
  stop(): Promise<void>;
}

interface RedModule {
  init(settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getNode(id: string): RuntimeNode | null };
  events: { once(event: string, listener: () => void): void };
}

const WARN = 30;

export async function startRed(flow: FlowNode[]): Promise<EmbeddedRed> {
  const userDir = mkdtempSync(join(tmpdir(), "claude-channel-red-"));
  mkdirSync(join(userDir, "node_modules"));
  symlinkSync(join(paths.dist, ".."), join(userDir, "node_modules", "node-red-contrib-claude-channel"), "dir");
  writeFileSync(join(userDir, "flows.json"), JSON.stringify(flow));
  const problems: string[] = [];
  const RED = require("node-red") as RedModule;
  RED.init({
    userDir,
    flowFile: "flows.json",
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    logging: {
      console: { level: "off" },
      bench: {
        level: "warn",
        handler: () => (entry: { level: number; msg?: unknown; type?: string; id?: string }) => {
          if (entry.level <= WARN) problems.push(`${entry.type ?? "runtime"}${entry.id ? ` ${entry.id}` : ""}: ${String(entry.msg)}`);
        },
      },
    },
  });
  const started = new Promise<void>((resolve) => RED.events.once("flows:started", resolve));
  await RED.start();
  await started;
  return {
    node(id) {
      const node = RED.nodes.getNode(id);
      if (!node) throw new Error(`Node-RED has no node ${id}; problems: ${problems.join("; ") || "none"}`);
      return node;
    },
    problems,
    async stop() {
      await RED.stop();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
