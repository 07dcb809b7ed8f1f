/** claude-action's properties (public: flows in the wild use these names). */
import { validatePattern } from "../../core/topics.js";
import { DEFAULT_ACTION_TIMEOUT_SECONDS, MAX_ACTION_TIMEOUT_SECONDS } from "../../session/action-limits.js";
import { configNode, label, number, text } from "../shared/props.js";
import { SESSION_NODE_TYPE } from "../shared/types.js";

export const ACTION_PROPS = {
  name: label(),
  session: configNode(SESSION_NODE_TYPE, true),
  pattern: text((p) => (p === "" ? "empty" : validatePattern(p)), { required: true, accepted: "an MQTT topic filter, e.g. home/commands/#" }),
  timeout: number({ min: 1, max: MAX_ACTION_TIMEOUT_SECONDS, unit: " of seconds" }, DEFAULT_ACTION_TIMEOUT_SECONDS),
};
