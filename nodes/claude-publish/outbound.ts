/**
 * What claude-publish sends for one message, in each mode:
 * - `publish`: to the node's topic, or `msg.topic` when the node has none.
 * - `inbox`: to `<prefix>/sessions/<target>/inbox`, the target session named in the node
 *   or, when the node names none, by `msg.target`. With `msg.correlation_id` it is a
 *   request: the envelope carries that correlation_id and names the own session's inbox
 *   as `reply_to`, where the answer arrives (raw is refused: only an envelope has those).
 * - `reply`: answers a request at its `reply_to` with its `correlation_id`, taken from
 *   `msg.claude` (claude-gate sets them for a request), else from an envelope in
 *   `msg.payload` (whose `content` is then the answer), else from `msg.reply_to` and
 *   `msg.correlation_id`. A reply is always an envelope (with the correlation_id), never retained.
 * The text is `msg.payload`: strings as they are, numbers and booleans as text, objects
 * as JSON; an envelope is wrapped around it unless `raw` is set.
 */
import type { NodeMessage } from "node-red";
import { z } from "zod";
import { parseInbound } from "../../core/envelope.js";
import { sessionTopics } from "../../core/layout.js";
import { validateSessionName } from "../../core/session-name.js";
import type { PublishRequest } from "../../session/api.js";
import { InputError } from "../shared/input.js";
import { payloadText, serialisePayload } from "../shared/payload.js";

export interface PublishConfig {
  mode: "publish" | "inbox" | "reply";
  topic: string;
  target: string;
  raw: boolean;
  retain: boolean;
}

const address = z.object({ reply_to: z.string().min(1), correlation_id: z.string().min(1) });

/** The session a message is sent as. */
export interface Sender {
  prefix: string;
  /** Its own inbox: where answers to its requests arrive. */
  inbox: string;
  maxPayloadBytes: number;
}

export function publishRequest(msg: NodeMessage, config: PublishConfig, sender: Sender): PublishRequest {
  if (config.mode === "reply") return reply(msg, sender.maxPayloadBytes);
  if (config.mode === "inbox") {
    const topic = inboxTopic(msg, config, sender.prefix);
    return { topic, text: payloadText(msg.payload), raw: config.raw, retain: config.retain, ...requestAddress(msg, config, sender) };
  }
  return { topic: publishTopic(msg, config), text: payloadText(msg.payload), raw: config.raw, retain: config.retain };
}

function publishTopic(msg: NodeMessage, config: PublishConfig): string {
  if (config.topic) return config.topic;
  if (typeof msg.topic === "string" && msg.topic !== "") return msg.topic;
  throw new InputError("no topic to publish to: set one in the node, or send msg.topic");
}

function inboxTopic(msg: NodeMessage, config: PublishConfig, prefix: string): string {
  const target = config.target || msg.target;
  if (typeof target !== "string" || target === "") {
    throw new InputError("no target session: name one in the node, or send msg.target");
  }
  const invalid = validateSessionName(target);
  if (invalid) throw new InputError(`target: ${invalid}`);
  return sessionTopics(prefix, target).inbox;
}

/** A message to a session's inbox with `msg.correlation_id` is a request, answered at the own inbox. */
function requestAddress(msg: NodeMessage, config: PublishConfig, sender: Sender): { correlation_id?: string; reply_to?: string } {
  const id: unknown = msg.correlation_id;
  if (id === undefined) return {};
  if (typeof id !== "string" || id === "") throw new InputError("msg.correlation_id must be non-empty text (it marks the message as a request)");
  if (config.raw) throw new InputError("a request (msg.correlation_id) needs the envelope to carry its correlation_id and reply_to: clear Raw");
  return { correlation_id: id, reply_to: sender.inbox };
}

function reply(msg: NodeMessage, maxPayloadBytes: number): PublishRequest {
  const fromGate = address.safeParse(msg.claude);
  if (fromGate.success) return answer(fromGate.data, payloadText(msg.payload));
  if (msg.payload !== undefined) {
    const inbound = parseInbound(serialisePayload(msg.payload), maxPayloadBytes);
    if (inbound.kind === "envelope" && inbound.reply_to && inbound.correlation_id) {
      return answer({ reply_to: inbound.reply_to, correlation_id: inbound.correlation_id }, inbound.content);
    }
  }
  const fromMsg = address.safeParse(msg);
  if (fromMsg.success) return answer(fromMsg.data, payloadText(msg.payload));
  throw new InputError(
    "nothing to reply to: reply mode needs the request's reply_to and correlation_id, in msg.claude (set by claude-gate), " +
      "in an envelope in msg.payload, or as msg.reply_to and msg.correlation_id",
  );
}

/** The answer goes to the request's reply_to and carries its correlation_id (the envelope itself names no reply_to). */
function answer(to: z.infer<typeof address>, text: string): PublishRequest {
  return { topic: to.reply_to, correlation_id: to.correlation_id, text, raw: false, retain: false };
}
