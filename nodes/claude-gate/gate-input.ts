/**
 * What claude-gate hands the session for one flow message.
 *
 * Rules:
 * - A Home Assistant message (core/home-assistant recognises it by shape) is gated as
 *   `homeassistant/<domain>/<object_id>`; its content is the one-line summary (friendly
 *   name, old → new state, changed attributes) and its entity id goes along as meta
 *   `entity_id`. A subject set to something other than the default `msg.topic` still
 *   decides the topic.
 * - Any other message is gated on the subject's value: text, or a number as its text; a
 *   Home Assistant entity id stands for its `homeassistant/…` topic. The payload is read as
 *   an MQTT payload would be (objects as JSON), so an envelope keeps its sender,
 *   correlation_id and reply_to.
 * - A subject that is missing or not a valid topic name is an error for that message.
 */
import type { NodeMessage } from "node-red";
import { parseInbound, type InboundMessage } from "../../core/envelope.js";
import { entityTopic, isEntityId, recogniseHaMessage, summariseHaChange } from "../../core/home-assistant.js";
import { channelMeta } from "../../core/meta.js";
import { validateTopic } from "../../core/topics.js";
import { InputError } from "../shared/input.js";
import { serialisePayload } from "../shared/payload.js";

export interface Subject {
  value: unknown;
  /** Where the value came from, for messages (e.g. `msg.topic`). */
  label: string;
  /** True for the default subject, msg.topic. */
  isDefault: boolean;
}

export interface GateInput {
  topic: string;
  message: InboundMessage;
  extra?: Record<string, string>;
}

export function gateInput(msg: NodeMessage, subject: Subject, maxPayloadBytes: number): GateInput {
  const ha = recogniseHaMessage(msg);
  if (ha) {
    const content = summariseHaChange(ha);
    return {
      topic: subject.isDefault ? ha.topic : subjectTopic(subject),
      message: { kind: "text", content, bytes: Buffer.byteLength(content) },
      extra: channelMeta({ entity_id: ha.entityId }),
    };
  }
  return { topic: subjectTopic(subject), message: parseInbound(serialisePayload(msg.payload), maxPayloadBytes) };
}

function subjectTopic({ value, label }: Subject): string {
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== "string" || text === "") {
    const got = text === undefined ? "not set" : text === "" ? "empty" : `not text but ${kindOf(text)}`;
    throw new InputError(`the subject ${label} is ${got}; the gate needs a topic (text) to match its lists against`);
  }
  if (isEntityId(text)) return entityTopic(text);
  const invalid = validateTopic(text);
  if (invalid) throw new InputError(`the subject ${label} is not a topic name: ${invalid}`);
  return text;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
