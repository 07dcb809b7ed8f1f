/**
 * A user node's properties read with its table (shared/props.ts) when the node starts. When
 * they are bad the node logs why and shows it, and gets the problem to report for each message
 * it receives.
 */
import type { Node } from "node-red";
import { readProps, type PropsOf, type PropTable } from "./props.js";
import { problemStatus } from "./status.js";

export function parseNodeProps<P extends PropTable>(node: Node, table: P, def: object): { ok: true; props: PropsOf<P> } | { ok: false; problem: string } {
  const read = readProps(table, def);
  if (read.ok) return read;
  const problem = read.problems.join("; ");
  node.error(`${node.type}: ${problem}`);
  node.status(problemStatus(problem));
  return { ok: false, problem };
}
