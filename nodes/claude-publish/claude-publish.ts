/**
 * claude-publish: sends `msg.payload` as the session (in its envelope unless raw) to a
 * topic, to another session's inbox, or as the reply to a request. A reply goes only
 * into the reply space (core/permissions): a session inbox, a topic the session's
 * publishAllow names, or one of the node's own `replyAllow` filters.
 */
import type { Node, NodeDef, NodeInitializer } from "node-red";
import { InputError, onInput } from "../shared/input.js";
import { parseNodeProps } from "../shared/parse-props.js";
import { doneStatus, problemStatus, viewStatus } from "../shared/status.js";
import { sessionFor, useSession } from "../shared/use-session.js";
import { publishRequest } from "./outbound.js";
import { PUBLISH_PROPS } from "./props.js";

interface PublishDef extends NodeDef {
  session?: unknown;
  mode?: unknown;
  topic?: unknown;
  target?: unknown;
  raw?: unknown;
  retain?: unknown;
  replyAllow?: unknown;
}

const init: NodeInitializer = (RED) => {
  function ClaudePublish(this: Node, def: PublishDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const parsed = parseNodeProps(node, PUBLISH_PROPS, def);
    const config = parsed.ok ? useSession(RED, node, def.session, (view) => node.status(viewStatus(view))) : undefined;

    onInput(
      node,
      async (msg) => {
        if (!parsed.ok) throw new InputError(parsed.problem);
        const { session, config: sessionNode } = sessionFor(config);
        const request = publishRequest(msg, parsed.props, {
          prefix: sessionNode.prefix,
          inbox: session.topics.inbox,
          maxPayloadBytes: sessionNode.maxPayloadBytes,
        });
        // The reply space: a forged request must not make the flow publish anywhere it may.
        if (parsed.props.mode === "reply") session.checkReplyTo(request.topic, parsed.props.replyAllow);
        const { bytes } = await session.publish(request);
        node.status(doneStatus(RED._("claude-publish.status.sent", { bytes, topic: request.topic })));
      },
      (error) => node.status(problemStatus(error.message)),
    );
  }

  RED.nodes.registerType("claude-publish", ClaudePublish);
};

export = init;
