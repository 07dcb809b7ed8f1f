/** What each tool is for, written for the model. */
import type { ToolName } from "./schemas.js";

export const TOOL_DESCRIPTIONS: Record<ToolName, string> = {
  reply:
    "Reply on an MQTT topic as this session. To answer a request, use the received reply_to as topic and pass its correlation_id. The text is wrapped in a JSON envelope {sender, ts, content} unless raw is true. A reply goes only to a session inbox (<prefix>/sessions/<name>/inbox) or to a topic the owner's publish permissions allow explicitly; otherwise it is refused.",
  publish:
    "Publish a message to an MQTT topic as this session, wrapped in the JSON envelope {sender, ts, content}. Set raw: true to send the text unchanged (for devices such as lights and switches). Fails when the broker is not connected or does not acknowledge the message, and when the owner's publish permissions (see status: publishPermissions) refuse the topic: the error names the rule.",
  request:
    "Send a request to another session's inbox and wait for its reply (correlated by id). Returns the reply text, or an error on timeout. The owner's publish permissions apply to the target's inbox.",
  inbox:
    "Read buffered messages: watched ones, and admitted ones held back by coalescing or the per-minute cap. Without topic: a summary of what is buffered. With a topic or pattern (e.g. home/#): the messages, oldest first. clear: true removes what matched (without topic: everything). Reading does not remove messages.",
  watch: "Watch a sender name or topic filter: matching messages are buffered silently; read them with inbox. Subscribes on the broker. Persisted.",
  unwatch: "Stop watching a pattern and drop its buffered messages (topics still covered by another watched pattern keep theirs). Persisted.",
  admit: "Admit a sender name or topic filter: matching messages arrive in this conversation in real time. Subscribes on the broker. Persisted.",
  mute: "Mute a sender name or topic filter: matching messages are dropped, even if admitted or watched. Persisted.",
  unadmit: "Remove a pattern from the admitted list. Persisted.",
  unmute: "Remove a pattern from the muted list. Persisted.",
  config:
    "Set the watched buffer's limits: bufferMaxAge (seconds, 1-86400) and bufferMaxPerTopic (1-10000); and the pacing of admitted notifications within the owner's bounds: coalesceInterval (seconds per topic; a longer one means fewer notifications) and notifyPerMinute (a session-wide cap). Returns the session configuration and the pacing in force.",
  subscribe:
    "Subscribe to a topic filter on the broker without persisting it. Messages are only delivered if the topic is also admitted or watched.",
  unsubscribe: "Remove a subscription made with subscribe. Filters still needed by the admitted or watched lists stay subscribed.",
  status:
    "Show this session's state: connection, lists, the owner's publish permissions, subscriptions, buffer (the 100 busiest topics; bufferTopics says how many), counts of dropped, evicted and refused messages, how admitted notifications were paced and delivered, and problems.",
  topics:
    "List the topics this session has seen, most recent first: message count, tier (admitted, watched, dropped, reply), when the last came and the start of its payload. Muted topics are never listed. Use it to decide what to admit or watch.",
  ping:
    "Check the whole delivery path: the session publishes a probe to its own inbox, gets it back from the broker and sends it to this conversation as a channel notification. Reports whether it came back and how long it took. Use it when messages are not appearing.",
  sessions: "List the sessions seen on the broker, from their retained status: name, online/offline, last heartbeat, and whether that heartbeat is stale.",
};
