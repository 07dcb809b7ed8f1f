/** Types shared by every host of a session (the bridge and the Node-RED config node). */
import type { EventEmitter } from "node:events";
import type { GateLists, ListName } from "../core/gate.js";
import type { EvictionCounts } from "../core/buffer.js";
import type { GateDropReason } from "../core/gate.js";
import type { AdmittedMessage } from "./admitted-message.js";
import type { PublishPermissions } from "../core/permissions.js";

/** How much a log line matters; hosts map it to their own logger (stderr, Node-RED's log). */
export type LogLevel = "info" | "warn" | "error";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "disconnected" | "stopped";
export type HostKind = "bridge" | "flow";

export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Of an encrypted private key. */
  passphrase?: string;
  /** TLS server name (SNI), when it differs from the broker URL's host. */
  servername?: string;
  rejectUnauthorized?: boolean;
}

/** Where and how to reach the broker: one shape for the session, the link client and their connections. */
export interface BrokerOptions {
  brokerUrl: string;
  username?: string;
  password?: string;
  tls?: TlsOptions;
}

export interface SessionOptions extends BrokerOptions {
  name: string;
  prefix: string;
  qos: 0 | 1 | 2;
  heartbeatSeconds: number;
  /** MQTT keepalive (MQTT_KEEPALIVE / the node's `keepalive`); default DEFAULT_KEEPALIVE_SECONDS. */
  keepaliveSeconds?: number;
  /**
   * How long the broker keeps the session's subscriptions and queued QoS 1 messages while it
   * is away (MQTT_SESSION_EXPIRY / `sessionExpiry`); 0: a clean session, as MQTT 3.1.1 brokers get.
   */
  sessionExpirySeconds?: number;
  requestTimeoutSeconds: number;
  maxPayloadBytes: number;
  maxPendingRequests: number;
  bufferMaxBytes: number;
  host: HostKind;
  /** Package version, shown in status. */
  version: string;
  /** Where Claude's lists persist; undefined keeps them in memory only. */
  store?: SessionStore;
  /** Where Claude may publish (the owner's; Claude cannot change them). Absent: anywhere. */
  publishPermissions?: PublishPermissions;
  /** The owner's lists (set in the flow editor): always in force, never removable by Claude. */
  pinned?: Partial<GateLists>;
  /** MQTT client id; default `claude-<name>-<random>`. */
  clientId?: string;
  /** The owner's bounds for pacing admitted notifications (default DEFAULT_PACING). */
  pacing?: { intervalSeconds: number; perMinute: number };
  /** Extra fields for the retained status payload (e.g. the flow link's protocol version). */
  statusExtras?: () => Record<string, unknown>;
}

/** Persistence of the lists Claude changes. */
export interface SessionStore {
  /** Human-readable location, for messages. */
  readonly location: string;
  load(): StoreLoad;
  save(text: string): void;
}

export type StoreLoad =
  | { kind: "missing" }
  | { kind: "loaded"; text: string }
  | { kind: "unreadable"; error: string };

export type { AdmittedMessage } from "./admitted-message.js";

/**
 * `duplicate-retained`: a retained message re-sent unchanged on resubscribe.
 * `duplicate`: the same message reached the session by both paths (its own subscription
 * and a flow's claude-gate fed by an `mqtt in` on the same broker); it keeps its tier
 * for the flow, but Claude gets it once.
 * `overlap-copy`: a broker's second copy of one message for overlapping subscriptions.
 * `redelivered`: a QoS 1 message the broker sent again (DUP, after a reconnect) that had
 * arrived shortly before, same topic and payload.
 * `failed`: the message could not be handled at all (an error while sorting it); logged.
 */
/** A broker's extra copy of one message: for an overlapping subscription, or a QoS 1 redelivery. */
export type CopyDrop = "overlap-copy" | "redelivered";
export type DropReason = GateDropReason | "oversize" | "duplicate-retained" | "duplicate" | CopyDrop | "failed";

export interface DroppedMessage {
  topic: string;
  sender?: string;
  reason: DropReason;
  pattern?: string;
  bytes: number;
}

export interface LimitHit {
  limit: "buffer" | "payload" | "pending-requests" | "undelivered";
  message: string;
  counts?: Partial<EvictionCounts>;
}

export interface SessionEvents {
  state: [state: ConnectionState, detail: string | undefined];
  /** Every admitted message, as the gate let it through. */
  admitted: [message: AdmittedMessage];
  /** What Claude is to be told: admitted messages paced (coalesced, capped, digests) and pings. */
  notify: [message: AdmittedMessage];
  watched: [topic: string, pattern: string];
  dropped: [message: DroppedMessage];
  limit: [hit: LimitHit];
  lists: [lists: EffectiveLists];
  log: [level: LogLevel, message: string];
}

/** Where a session's units emit its events: the session, seen only as that. */
export type SessionEmitter = Pick<EventEmitter<SessionEvents>, "emit">;

export interface EffectiveLists {
  admitted: string[];
  watched: string[];
  muted: string[];
  pinned: GateLists;
}

export type { GateLists, ListName };
