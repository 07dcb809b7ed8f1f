/**
 * The messages of claude-action: what leaves the node for one action Claude took, and
 * how a message sent back in answers it.
 *
 * Out: `msg.topic` (the topic Claude published to), `msg.payload` (Claude's text, parsed
 * when it is JSON), `msg.claude = {session, tool, correlationId, retain, raw}`.
 * In: `msg.claude.correlationId` (left in place by the flow, or `msg.correlationId`),
 * `msg.payload` the answer (text; other values as JSON); `msg.error` (text, or an object
 * with `message`, as a Catch node sets it) makes the answer an error.
 */
import type { NodeMessage } from "node-red";
import { z } from "zod";
import type { ActionAnswer, ClaudeAction } from "../../session/actions.js";
import { InputError } from "../shared/input.js";
import { payloadText } from "../shared/payload.js";

export interface ActionMessage extends NodeMessage {
  topic: string;
  payload: unknown;
  claude: { session: string; tool: ClaudeAction["tool"]; correlationId: string; retain: boolean; raw: boolean };
}

export function actionMessage(action: ClaudeAction, session: string): ActionMessage {
  return {
    topic: action.topic,
    payload: parsedText(action.text),
    claude: { session, tool: action.tool, correlationId: action.correlationId, retain: action.retain, raw: action.raw },
  };
}

function parsedText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const correlated = z.object({ claude: z.object({ correlationId: z.string().min(1) }) });
const direct = z.object({ correlationId: z.string().min(1) });
const errorText = z.union([z.string(), z.object({ message: z.string() }).transform((e) => e.message)]);

/** The action a message answers and the answer it carries. */
export function answerOf(msg: NodeMessage): { correlationId: string; answer: ActionAnswer } {
  const id = correlated.safeParse(msg).data?.claude.correlationId ?? direct.safeParse(msg).data?.correlationId;
  if (!id) {
    throw new InputError("nothing to answer: the message needs msg.claude.correlationId (keep msg.claude from this node's output) or msg.correlationId");
  }
  const error = (msg as { error?: unknown }).error;
  if (error !== undefined) {
    const text = errorText.safeParse(error);
    return { correlationId: id, answer: { ok: false, text: text.success ? text.data : "the flow reported an error" } };
  }
  if (msg.payload === undefined) return { correlationId: id, answer: { ok: true, text: "done" } };
  return { correlationId: id, answer: { ok: true, text: payloadText(msg.payload) } };
}
