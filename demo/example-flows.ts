/**
 * The example flows of `examples/` (what Node-RED lists under Import ▸ Examples),
 * read, combined and pointed at a broker, as the demo deploys them and the tests load them.
 *
 * Rules:
 * - Each file is a JSON array of nodes, each with a string `id` and `type`.
 * - No id is in two files, config nodes included: each example brings its own sessions (with
 *   names of their own) and broker node. Node-RED's import asks what to do about every id
 *   already in the workspace, identical or not, so shared ids would raise that dialog for the
 *   second example imported. Combining fails naming a shared id.
 * - Pointing at a broker rewrites the `mqtt-broker` nodes' host and port and the
 *   `claude-session` nodes' broker URL; nothing else changes. Home Assistant `server` nodes
 *   get their address and token as credentials (`homeAssistantCredentials`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** A node of a Node-RED flow, as in a flow file or the admin API (credentials may sit inline). */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  wires?: string[][];
  [property: string]: unknown;
}

const flowFile = z.array(z.looseObject({ id: z.string().min(1), type: z.string().min(1), z: z.string().optional() }));

/** `examples/` of this package (the demo runs from `dist/demo/`). */
export const EXAMPLES_DIR = join(__dirname, "..", "..", "examples");

/** The example names (file names without `.json`), as the Import ▸ Examples menu lists them. */
export function exampleNames(dir = EXAMPLES_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}

export function readExample(name: string, dir = EXAMPLES_DIR): FlowNode[] {
  const path = join(dir, `${name}.json`);
  const parsed = flowFile.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) throw new Error(`${path} is not a flow: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data as FlowNode[];
}

/** One flow holding every node of `flows`; an id in two of them is an error. */
export function combineFlows(flows: readonly FlowNode[][]): FlowNode[] {
  const seen = new Set<string>();
  for (const node of flows.flat()) {
    if (seen.has(node.id)) throw new Error(`node ${node.id} (${node.type}) is in two example flows`);
    seen.add(node.id);
  }
  return flows.flat();
}

export function pointAtBroker(flow: readonly FlowNode[], brokerUrl: string): FlowNode[] {
  const url = new URL(brokerUrl);
  return flow.map((node) => {
    if (node.type === "mqtt-broker") return { ...node, broker: url.hostname, port: url.port || "1883" };
    if (node.type === "claude-session") return { ...node, broker: brokerUrl };
    return { ...node };
  });
}

/** The credentials that point every Home Assistant `server` node of `flow` at `url` with `token`, by node id. */
export function homeAssistantCredentials(flow: readonly FlowNode[], url: string, token: string): Record<string, Record<string, string>> {
  return Object.fromEntries(flow.filter((node) => node.type === "server").map((node) => [node.id, { host: url, access_token: token }]));
}
