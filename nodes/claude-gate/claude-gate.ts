/**
 * claude-gate: any flow message in; the session's gate decides whether Claude gets it
 * now (admitted), may read it later (watched) or never sees it (dropped), and the
 * message leaves on that output with the verdict in `msg.claude`.
 */
import type { Node, NodeAPI, NodeDef, NodeInitializer, NodeMessage } from "node-red";
import { z } from "zod";
import type { IngestOutcome } from "../../session/session.js";
import { InputError, onInput } from "../shared/input.js";
import { describeIssues, orDefault } from "../shared/props.js";
import { problemStatus, StatusThrottle, viewStatus, viewStatusWith } from "../shared/status.js";
import type { GateVerdict, SessionView } from "../shared/types.js";
import { MISSING_SESSION, useSession } from "../shared/use-session.js";
import { gateInput, type GateInput } from "./gate-input.js";

interface GateDef extends NodeDef {
  session?: unknown;
  mode?: unknown;
  subject?: unknown;
  subjectType?: unknown;
}

const SUBJECT_TYPES = ["msg", "flow", "global", "str", "env", "jsonata"] as const;

const gateConfig = z.object({
  mode: z.preprocess(orDefault("lists"), z.enum(["lists", "admit", "watch"], { error: 'accepted: "lists", "admit" or "watch"' })),
  subject: z.preprocess(orDefault("topic"), z.string({ error: "accepted: text" })),
  subjectType: z.preprocess(orDefault("msg"), z.enum(SUBJECT_TYPES, { error: `accepted: ${SUBJECT_TYPES.join(", ")}` })),
});
type GateConfig = z.infer<typeof gateConfig>;

const OUTPUT = { admitted: 0, reply: 0, watched: 1, dropped: 2 } as const;

function evaluateSubject(RED: NodeAPI, node: Node, config: GateConfig, msg: NodeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(config.subject, config.subjectType, node, msg, (err, value: unknown) => (err ? reject(err) : resolve(value)));
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
    const counts = { admitted: 0, watched: 0, dropped: 0 };
    let view: SessionView = { state: "disconnected" };
    let problem: string | undefined;
    const throttle = new StatusThrottle(node, () => {
      if (problem) return problemStatus(problem);
      if (counts.admitted + counts.watched + counts.dropped === 0) return viewStatus(view);
      return viewStatusWith(view, `▲${counts.admitted} ◆${counts.watched} ✕${counts.dropped}`);
    });
    node.on("close", () => throttle.close());

    const parsed = gateConfig.safeParse(def);
    const configProblem = parsed.success ? undefined : describeIssues(parsed.error).join("; ");
    if (configProblem) {
      node.error(`claude-gate: ${configProblem}`);
      node.status(problemStatus(configProblem));
    }
    const config = parsed.success
      ? useSession(RED, node, def.session, (changed) => {
          view = changed;
          throttle.update();
        })
      : undefined;

    onInput(
      node,
      async (msg, send) => {
        if (!parsed.success) throw new InputError(configProblem);
        if (!config) throw new InputError(MISSING_SESSION);
        const current = config.current();
        if ("problem" in current) throw new InputError(current.problem);
        const { session } = current;
        const subject = {
          value: await evaluateSubject(RED, node, parsed.data, msg),
          label: `${parsed.data.subjectType}.${parsed.data.subject}`,
          isDefault: parsed.data.subjectType === "msg" && parsed.data.subject === "topic",
        };
        const input = gateInput(msg, subject, config.maxPayloadBytes);
        const force = parsed.data.mode === "lists" ? undefined : parsed.data.mode;
        const outcome = session.ingest(input.topic, input.message, {
          via: "flow",
          ...(force ? { force } : {}),
          ...(input.extra ? { extra: input.extra } : {}),
        });
        msg.claude = verdict(outcome, input, session.name);
        counts[outcome.tier === "reply" ? "admitted" : outcome.tier]++;
        problem = undefined;
        throttle.update();
        const outputs: Array<NodeMessage | null> = [null, null, null];
        outputs[OUTPUT[outcome.tier]] = msg;
        send(outputs);
      },
      (error) => {
        problem = error.message;
        throttle.update();
      },
    );
  }

  RED.nodes.registerType("claude-gate", ClaudeGate);
};

export = init;
