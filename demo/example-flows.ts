/**
 * The example flows of `examples/` (what Node-RED lists under Import ▸ Examples),
 * read, combined and pointed at a broker, as the demo deploys them and the tests load them.
 *
 * Rules:
 * - Each file is a JSON array of nodes, each with a string `id` and `type`.
 * - Config nodes (no `z`) appear in several files under the same id; combined, each id must
 *   have the same definition everywhere (that is also what lets Node-RED import them one by
 *   one without duplicates), else combining fails naming the id.
 * - Pointing at a broker rewrites the `mqtt-broker` nodes' host and port and the
 *   `claude-session` nodes' broker URL; nothing else changes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
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

/** One flow holding every node of `flows`; a shared id must mean the same node everywhere. */
export function combineFlows(flows: readonly FlowNode[][]): FlowNode[] {
  const byId = new Map<string, FlowNode>();
  for (const node of flows.flat()) {
    const seen = byId.get(node.id);
    if (seen === undefined) byId.set(node.id, node);
    else if (!isDeepStrictEqual(seen, node)) throw new Error(`the example flows define node ${node.id} (${node.type}) differently`);
  }
  return [...byId.values()];
}

export function pointAtBroker(flow: readonly FlowNode[], brokerUrl: string): FlowNode[] {
  const url = new URL(brokerUrl);
  return flow.map((node) => {
    if (node.type === "mqtt-broker") return { ...node, broker: url.hostname, port: url.port || "1883" };
    if (node.type === "claude-session") return { ...node, broker: brokerUrl };
    return { ...node };
  });
}
