/**
 * claude-gate: any flow message in; the session's gate decides whether Claude gets it
 * now (admitted), may read it later (watched) or never sees it (dropped), and the
 * message leaves on that output with the verdict in `msg.claude`.
 */
import type { Node, NodeAPI, NodeDef, NodeInitializer, NodeMessage } from "node-red";
import type { IngestOutcome } from "../../session/api.js";
import { InputError, onInput, type Send } from "../shared/input.js";
import { parseNodeProps } from "../shared/parse-props.js";
import type { PropsOf } from "../shared/props.js";
import type { GateVerdict } from "../shared/types.js";
import { sessionFor, useSession } from "../shared/use-session.js";
import { gateInput, type GateInput } from "./gate-input.js";
import { GateStatus } from "./gate-status.js";
import { GATE_PROPS } from "./props.js";

interface GateDef extends NodeDef {
  session?: unknown;
  mode?: unknown;
  subject?: unknown;
  subjectType?: unknown;
}

type GateProps = PropsOf<typeof GATE_PROPS>;

const OUTPUT = { admitted: 0, reply: 0, watched: 1, dropped: 2 } as const;

/** Subjects other than a message property (context, JSONata, ...) may need Node-RED's callback. */
function evaluateSubject(RED: NodeAPI, node: Node, props: GateProps, msg: NodeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(props.subject, props.subjectType, node, msg, (err, value: unknown) => (err ? reject(err) : resolve(value)));
  });
}

function verdict(outcome: IngestOutcome, input: GateInput, session: string): GateVerdict {
  const { message } = input;
  return {
    tier: outcome.tier,
    ...("pattern" in outcome && outcome.pattern !== undefined ? { pattern: outcome.pattern } : {}),
    session,
    topic: input.topic,
    ...(outcome.tier === "dropped" ? { reason: outcome.reason } : {}),
    ...(message.sender !== undefined ? { sender: message.sender } : {}),
    ...(message.correlation_id !== undefined ? { correlation_id: message.correlation_id } : {}),
    ...(message.reply_to !== undefined ? { reply_to: message.reply_to } : {}),
  };
}

const init: NodeInitializer = (RED) => {
  function ClaudeGate(this: Node, def: GateDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const status = new GateStatus(node, RED._);
    node.on("close", () => status.close());
    const parsed = parseNodeProps(node, GATE_PROPS, def);
    const config = parsed.ok ? useSession(RED, node, def.session, (view) => status.connection(view)) : undefined;

    const gate = (msg: NodeMessage, send: Send, props: GateProps, subjectValue: unknown): void => {
      const { session, config: sessionNode } = sessionFor(config);
      const subject = {
        value: subjectValue,
        label: `${props.subjectType}.${props.subject}`,
        isDefault: props.subjectType === "msg" && props.subject === "topic",
      };
      const input = gateInput(msg, subject, sessionNode.maxPayloadBytes);
      const outcome = session.ingest(input.topic, input.message, {
        via: "flow",
        ...(props.mode !== "lists" ? { force: props.mode } : {}),
        ...(input.extra ? { extra: input.extra } : {}),
      });
      msg.claude = verdict(outcome, input, session.name);
      status.sent(outcome.tier === "reply" ? "admitted" : outcome.tier);
      const outputs: Array<NodeMessage | null> = [null, null, null];
      outputs[OUTPUT[outcome.tier]] = msg;
      send(outputs);
    };

    onInput(
      node,
      (msg, send) => {
        if (!parsed.ok) throw new InputError(parsed.problem);
        const { props } = parsed;
        // A message property is read at once: no promise per message on the common path.
        if (props.subjectType === "msg") return gate(msg, send, props, RED.util.getMessageProperty(msg, props.subject));
        return evaluateSubject(RED, node, props, msg).then((value) => gate(msg, send, props, value));
      },
      (error) => status.failed(error.message),
    );
  }

  RED.nodes.registerType("claude-gate", ClaudeGate);
};

export = init;
