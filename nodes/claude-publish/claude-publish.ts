/**
 * claude-publish: sends `msg.payload` as the session (in its envelope unless raw) to a
 * topic, to another session's inbox, or as the reply to a request.
 */
import type { Node, NodeDef, NodeInitializer } from "node-red";
import { z } from "zod";
import { validateSessionName } from "../../core/session-name.js";
import { validateTopic } from "../../core/topics.js";
import { InputError, onInput } from "../shared/input.js";
import { describeIssues, flag, optionalText, orDefault } from "../shared/props.js";
import { doneStatus, problemStatus, viewStatus } from "../shared/status.js";
import { MISSING_SESSION, useSession } from "../shared/use-session.js";
import { publishRequest } from "./outbound.js";

interface PublishDef extends NodeDef {
  session?: unknown;
  mode?: unknown;
  topic?: unknown;
  target?: unknown;
  raw?: unknown;
  retain?: unknown;
}

const publishConfig = z.object({
  mode: z.preprocess(orDefault("publish"), z.enum(["publish", "inbox", "reply"], { error: 'accepted: "publish", "inbox" or "reply"' })),
  topic: optionalText(validateTopic, "a topic name without wildcards, or empty to use msg.topic"),
  target: optionalText(validateSessionName, 'a session name (letters, digits, "_" and "-"), or empty to use msg.target'),
  raw: flag,
  retain: flag,
});

const init: NodeInitializer = (RED) => {
  function ClaudePublish(this: Node, def: PublishDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const parsed = publishConfig.safeParse(def);
    const configProblem = parsed.success ? undefined : describeIssues(parsed.error).join("; ");
    if (configProblem) {
      node.error(`claude-publish: ${configProblem}`);
      node.status(problemStatus(configProblem));
    }
    const config = parsed.success ? useSession(RED, node, def.session, (view) => node.status(viewStatus(view))) : undefined;

    onInput(
      node,
      async (msg) => {
        if (!parsed.success) throw new InputError(configProblem);
        if (!config) throw new InputError(MISSING_SESSION);
        const current = config.current();
        if ("problem" in current) throw new InputError(current.problem);
        const request = publishRequest(msg, parsed.data, config.prefix, config.maxPayloadBytes);
        const { bytes } = await current.session.publish(request);
        node.status(doneStatus(`${bytes} B → ${request.topic}`));
      },
      (error) => node.status(problemStatus(error.message)),
    );
  }

  RED.nodes.registerType("claude-publish", ClaudePublish);
};

export = init;
