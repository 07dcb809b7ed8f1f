/**
 * How a claude-gate or claude-publish attaches to its claude-session, as Node-RED's
 * `mqtt in`/`mqtt out` attach to their broker: find the config node, register,
 * deregister on close (telling a redeploy from a removal).
 */
import type { Node, NodeAPI } from "node-red";
import type { Session } from "../../session/session.js";
import { InputError } from "./input.js";
import { problemStatus } from "./status.js";
import { isClaudeSessionNode, type ClaudeSessionNode, type SessionUser, type SessionView } from "./types.js";

export const MISSING_SESSION = "no claude-session configured: pick or add one in this node's settings";

/**
 * Registers `node` with the claude-session `sessionId` names; `onView` hears every
 * connection change, the current one at once. Without a usable config node the node
 * logs an error, shows it, and gets undefined.
 */
export function useSession(
  RED: NodeAPI,
  node: Node,
  sessionId: unknown,
  onView: (view: SessionView) => void,
): ClaudeSessionNode | undefined {
  const config = typeof sessionId === "string" && sessionId !== "" ? RED.nodes.getNode(sessionId) : undefined;
  if (!isClaudeSessionNode(config)) {
    node.error(MISSING_SESSION);
    node.status(problemStatus(MISSING_SESSION));
    return undefined;
  }
  const user: SessionUser = { id: node.id, sessionChanged: onView };
  config.register(user);
  node.on("close", (removed: boolean, done: () => void) => {
    config.deregister(user, removed).then(done, (err: unknown) => {
      node.warn(`leaving the claude-session failed: ${String(err)}`);
      done();
    });
  });
  return config;
}

/** The running session to handle one message with; throws an InputError saying why there is none. */
export function sessionFor(config: ClaudeSessionNode | undefined): { session: Session; config: ClaudeSessionNode } {
  if (!config) throw new InputError(MISSING_SESSION);
  const current = config.current();
  if ("problem" in current) throw new InputError(current.problem);
  return { session: current.session, config };
}
