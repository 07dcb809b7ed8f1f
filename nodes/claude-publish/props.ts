/** claude-publish's properties (public: flows in the wild use these names). */
import { validateSessionName } from "../../core/session-name.js";
import { validatePattern, validateTopic } from "../../core/topics.js";
import { choice, configNode, flag, label, list, text } from "../shared/props.js";
import { SESSION_NODE_TYPE } from "../shared/types.js";

export const PUBLISH_PROPS = {
  name: label(),
  session: configNode(SESSION_NODE_TYPE, true),
  mode: choice(["publish", "inbox", "reply"], "publish"),
  topic: text(validateTopic, { blank: "", accepted: "a topic name without wildcards, or empty to use msg.topic" }),
  target: text(validateSessionName, { blank: "", accepted: 'a session name (letters, digits, "_" and "-"), or empty to use msg.target' }),
  raw: flag(),
  retain: flag(),
  /** Reply mode: topics beyond the session inboxes and publishAllow that a reply may go to. */
  replyAllow: list(validatePattern, "MQTT topic filters"),
};
