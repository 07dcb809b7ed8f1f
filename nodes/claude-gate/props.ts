/** claude-gate's properties (public: flows in the wild use these names). */
import { choice, configNode, label, text } from "../shared/props.js";
import { SESSION_NODE_TYPE } from "../shared/types.js";

export const SUBJECT_TYPES = ["msg", "flow", "global", "str", "env", "jsonata"] as const;

export const GATE_PROPS = {
  name: label(),
  session: configNode(SESSION_NODE_TYPE, true),
  mode: choice(["lists", "admit", "watch"], "lists"),
  subject: text(() => undefined, { value: "topic", blank: "topic" }),
  subjectType: choice(SUBJECT_TYPES, "msg"),
};
