/**
 * claude-permission: Claude Code's permission prompts through the flow. Each request the
 * bridge relays over the signed flow link leaves this node as a message; a message sent
 * back in with `msg.request_id` and `msg.payload` allow / deny (or true / false) is the
 * verdict. The first verdict wins (the terminal may answer first); one for a request that
 * is not waiting is reported to Catch nodes and counted. While one of these nodes is
 * deployed for a session, the bridge tells Claude Code that an approver exists.
 */
import type { Node, NodeDef, NodeInitializer, NodeMessage } from "node-red";
import { behaviorOf, type PendingRequest } from "../../core/permission-requests.js";
import { SessionAttachment } from "../shared/attachment.js";
import { InputError, onInput } from "../shared/input.js";
import { parseNodeProps } from "../shared/parse-props.js";
import { doneStatus, problemStatus, viewStatus, viewStatusWith } from "../shared/status.js";
import type { ClaudeSessionNode } from "../shared/types.js";
import { sessionFor, useSession } from "../shared/use-session.js";
import { PERMISSION_PROPS } from "./props.js";

interface PermissionDef extends NodeDef {
  session?: unknown;
}

function requestMessage(request: PendingRequest, session: string): NodeMessage {
  const { request_id, tool_name, description, input_preview } = request;
  return {
    topic: `permission/${tool_name}`,
    request_id,
    payload: { request_id, tool_name, description, input_preview },
    claude: { session, expires: new Date(request.expiresAt).toISOString() },
  } as NodeMessage;
}

const VERDICT_STATUS = { allow: "claude-permission.status.allow", deny: "claude-permission.status.deny" } as const;

const init: NodeInitializer = (RED) => {
  function ClaudePermission(this: Node, def: PermissionDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const parsed = parseNodeProps(node, PERMISSION_PROPS, def);
    let config: ClaudeSessionNode | undefined;
    let asked = 0;
    const approver = new SessionAttachment((session) =>
      session.approvals.attach(node.id, (request) => {
        asked++;
        node.status(doneStatus(RED._("claude-permission.status.asked", { tool: request.tool_name, id: request.request_id })));
        node.send(requestMessage(request, session.name));
      }),
    );
    if (parsed.ok) {
      // Registering reports the first view at once, before `config` is assigned: follow it after.
      config = useSession(RED, node, def.session, (view) => {
        approver.follow(config);
        node.status(asked > 0 ? viewStatusWith(view, RED._("claude-permission.status.waiting", { count: asked }), RED._) : viewStatus(view));
      });
      approver.follow(config);
    }
    node.on("close", () => approver.close());

    onInput(
      node,
      (msg) => {
        if (!parsed.ok) throw new InputError(parsed.problem);
        const { session } = sessionFor(config);
        const id: unknown = (msg as { request_id?: unknown }).request_id;
        if (typeof id !== "string" || id === "") throw new InputError("msg.request_id must name the request (as this node's output set it)");
        const behavior = behaviorOf(msg.payload);
        if (!behavior) throw new InputError('msg.payload must be "allow" or "deny" (or true / false)');
        const decision = session.approvals.decide({ request_id: id, behavior }, Date.now());
        if (decision.kind !== "decided") {
          throw new InputError(`no permission request ${id} is waiting (${decision.kind === "expired" ? "it expired" : "unknown, or already answered"}); nothing was sent`);
        }
        node.status(doneStatus(RED._(VERDICT_STATUS[behavior], { tool: decision.request.tool_name, id })));
      },
      (error) => node.status(problemStatus(error.message)),
    );
  }

  RED.nodes.registerType("claude-permission", ClaudePermission);
};

export = init;
