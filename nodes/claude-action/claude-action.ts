/**
 * claude-action: Claude's actions through the flow. In flow mode, what Claude publishes
 * (publish or reply tool) to a topic matching the node's pattern does not go to the
 * broker: it leaves this node as a message, after the owner's publish permissions have
 * let it pass. A message sent back into the node answers it, and the answer is Claude's
 * tool result; without one within the timeout Claude is told the flow did not confirm.
 */
import type { Node, NodeDef, NodeInitializer } from "node-red";
import { SessionAttachment } from "../shared/attachment.js";
import { InputError, onInput } from "../shared/input.js";
import { parseNodeProps } from "../shared/parse-props.js";
import { doneStatus, problemStatus, viewStatus, viewStatusWith } from "../shared/status.js";
import type { ClaudeSessionNode } from "../shared/types.js";
import { sessionFor, useSession } from "../shared/use-session.js";
import { actionMessage, answerOf } from "./action-message.js";
import { ACTION_PROPS } from "./props.js";

interface ActionDef extends NodeDef {
  session?: unknown;
  pattern?: unknown;
  timeout?: unknown;
}

const init: NodeInitializer = (RED) => {
  function ClaudeAction(this: Node, def: ActionDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const parsed = parseNodeProps(node, ACTION_PROPS, def);
    let handed = 0;
    let config: ClaudeSessionNode | undefined;
    const route = new SessionAttachment((session) => {
      if (!parsed.ok) return () => undefined;
      return session.routeActions({
        id: node.id,
        pattern: parsed.props.pattern,
        timeoutSeconds: parsed.props.timeout,
        hand: (action) => {
          handed++;
          node.status(doneStatus(RED._("claude-action.status.handedLast", { count: handed, topic: action.topic })));
          node.send(actionMessage(action, session.name));
        },
      });
    });
    if (parsed.ok) {
      // Registering reports the first view at once, before `config` is assigned: follow it after.
      config = useSession(RED, node, def.session, (view) => {
        route.follow(config);
        node.status(handed > 0 ? viewStatusWith(view, RED._("claude-action.status.handed", { count: handed }), RED._) : viewStatus(view));
      });
      route.follow(config);
    }
    node.on("close", () => route.close());

    onInput(
      node,
      (msg) => {
        if (!parsed.ok) throw new InputError(parsed.problem);
        const { timeout } = parsed.props;
        const { session } = sessionFor(config);
        const { correlationId, answer } = answerOf(msg);
        if (!session.answerAction(correlationId, answer)) {
          throw new InputError(`no action ${correlationId} is waiting for an answer (already answered, timed out after ${timeout}s, or unknown)`);
        }
        node.status(doneStatus(RED._(answer.ok ? "claude-action.status.answered" : "claude-action.status.answeredError", { answer: answer.text })));
      },
      (error) => node.status(problemStatus(error.message)),
    );
  }

  RED.nodes.registerType("claude-action", ClaudeAction);
};

export = init;
