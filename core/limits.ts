/**
 * The limits and defaults every host applies: the bridge's env settings, the session file,
 * the nodes' properties and the editor's validators all read them from here.
 * Dependency-free, so the editor's scripts bundle it as they are.
 */

/** Broker URL protocols mqtt.js connects with. */
export const BROKER_PROTOCOLS = ["mqtt", "mqtts", "ws", "wss", "tcp", "ssl"] as const;
/** The protocols among them that use TLS. */
export const TLS_PROTOCOLS: readonly string[] = ["mqtts", "wss", "ssl"];

export const DEFAULT_BROKER_URL = "mqtt://localhost:1883";
export const DEFAULT_TOPIC_PREFIX = "claude";

export const QOS_LEVELS = [0, 1, 2] as const;
export type QoS = (typeof QOS_LEVELS)[number];
export const DEFAULT_QOS: QoS = 1;

export const DEFAULT_HEARTBEAT_SECONDS = 60;

/** MQTT keepalive (MQTT_KEEPALIVE, claude-session's `keepalive`): MQTT's field holds at most 65535 s. */
export const DEFAULT_KEEPALIVE_SECONDS = 60;
export const MAX_KEEPALIVE_SECONDS = 65_535;

/**
 * How long the broker keeps a session's subscriptions and queued QoS 1 messages while it is
 * away (MQTT_SESSION_EXPIRY, `sessionExpiry`); 0 is a clean session. MQTT 5's field is 32 bits.
 */
export const DEFAULT_SESSION_EXPIRY_SECONDS = 3600;
export const MAX_SESSION_EXPIRY_SECONDS = 0xffff_fffe;
/** SESSION_HOST=auto: how long a flow may stay away before the bridge hosts its session again (0: never). */
export const DEFAULT_TAKEBACK_SECONDS = 60;
// Node's timers overflow above 2^31-1 ms and then fire after 1 ms, so a longer heartbeat
// would turn into a flood.
export const MAX_TIMER_SECONDS = Math.floor(0x7fffffff / 1000);

/** The watched buffer's limits (the session file's `bufferMaxAge`, `bufferMaxPerTopic`). */
export const DEFAULT_BUFFER_AGE_SECONDS = 3600;
export const MAX_BUFFER_AGE_SECONDS = 86_400;
export const DEFAULT_BUFFER_PER_TOPIC = 50;
export const MAX_BUFFER_PER_TOPIC = 10_000;

export const DEFAULT_MAX_PAYLOAD_BYTES = 262_144;
/** Patterns in each of Claude's lists (admitted, watched, muted) in a session file. */
export const MAX_PATTERNS_PER_LIST = 1000;
export const MIN_MAX_PAYLOAD_BYTES = 1024;
// MQTT's largest packet (the Remaining Length field's limit).
export const MAX_MQTT_PACKET_BYTES = 268_435_455;

/** The shortest link key accepted; the editor generates 43 characters (32 random bytes, base64url). */
export const MIN_LINK_KEY_LENGTH = 32;

/** Pacing of admitted notifications (claude-session's `coalesceInterval`, `notifyPerMinute`). */
export const DEFAULT_COALESCE_INTERVAL_SECONDS = 5;
export const MAX_COALESCE_INTERVAL_SECONDS = 3600;
export const DEFAULT_NOTIFY_PER_MINUTE = 30;
export const MAX_NOTIFY_PER_MINUTE = 10_000;
