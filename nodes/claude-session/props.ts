/**
 * claude-session's properties (public: flows in the wild use these names), with core's limits.
 * `bufferMaxAge` and `bufferMaxPerTopic` left empty mean "as the session file says" (Claude's
 * `config` tool may change them); a value is the owner's and is applied on every start.
 * `publishAllow` / `publishDeny` are the owner's publish permissions (core/permissions).
 */
import { brokerUrlReason, BROKER_URL_ACCEPTED, topicPrefixReason, TOPIC_PREFIX_ACCEPTED } from "../../core/connection.js";
import {
  DEFAULT_BROKER_URL,
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_KEEPALIVE_SECONDS,
  DEFAULT_SESSION_EXPIRY_SECONDS,
  MAX_KEEPALIVE_SECONDS,
  MAX_SESSION_EXPIRY_SECONDS,
  DEFAULT_QOS,
  DEFAULT_TOPIC_PREFIX,
  MAX_BUFFER_AGE_SECONDS,
  MAX_BUFFER_PER_TOPIC,
  DEFAULT_COALESCE_INTERVAL_SECONDS,
  DEFAULT_NOTIFY_PER_MINUTE,
  MAX_COALESCE_INTERVAL_SECONDS,
  MAX_NOTIFY_PER_MINUTE,
  MAX_TIMER_SECONDS,
  QOS_LEVELS,
} from "../../core/limits.js";
import { validateSessionName } from "../../core/session-name.js";
import { validatePattern } from "../../core/topics.js";
import { choice, configNode, list, number, text } from "../shared/props.js";

const FILTERS = "MQTT topic filters or sender names";
const TOPIC_FILTERS = "MQTT topic filters";

export const SESSION_PROPS = {
  name: text(validateSessionName, { required: true }),
  broker: text((url) => (url === "" ? "empty" : brokerUrlReason(url)), { value: DEFAULT_BROKER_URL, required: true, trim: true, accepted: BROKER_URL_ACCEPTED }),
  prefix: text(topicPrefixReason, { value: DEFAULT_TOPIC_PREFIX, blank: DEFAULT_TOPIC_PREFIX, accepted: TOPIC_PREFIX_ACCEPTED }),
  qos: choice(QOS_LEVELS, DEFAULT_QOS),
  heartbeat: number({ min: 1, max: MAX_TIMER_SECONDS, whole: true, unit: " of seconds" }, DEFAULT_HEARTBEAT_SECONDS),
  keepalive: number({ min: 1, max: MAX_KEEPALIVE_SECONDS, whole: true, unit: " of seconds" }, DEFAULT_KEEPALIVE_SECONDS),
  // 0: a clean session (what MQTT 3.1.1 brokers get anyway).
  sessionExpiry: number({ min: 0, max: MAX_SESSION_EXPIRY_SECONDS, whole: true, unit: " of seconds" }, DEFAULT_SESSION_EXPIRY_SECONDS),
  bufferMaxAge: number({ min: 0, above: true, max: MAX_BUFFER_AGE_SECONDS, unit: " of seconds" }),
  bufferMaxPerTopic: number({ min: 1, max: MAX_BUFFER_PER_TOPIC, whole: true }),
  // The owner's bounds for pacing admitted notifications (0: off / no cap).
  coalesceInterval: number({ min: 0, max: MAX_COALESCE_INTERVAL_SECONDS, unit: " of seconds" }, DEFAULT_COALESCE_INTERVAL_SECONDS),
  notifyPerMinute: number({ min: 0, max: MAX_NOTIFY_PER_MINUTE, whole: true }, DEFAULT_NOTIFY_PER_MINUTE),
  admitted: list(validatePattern, FILTERS),
  watched: list(validatePattern, FILTERS),
  muted: list(validatePattern, FILTERS),
  // A new session may only message other sessions until the owner widens it; an empty list
  // (and flows from before these lists) lets Claude publish anywhere not denied.
  publishAllow: list(validatePattern, TOPIC_FILTERS, [`${DEFAULT_TOPIC_PREFIX}/sessions/+/inbox`]),
  publishDeny: list(validatePattern, TOPIC_FILTERS),
  tls: configNode("tls-config", false),
};
