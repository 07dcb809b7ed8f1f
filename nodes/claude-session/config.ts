/**
 * The claude-session node's properties (./props.ts), read once when the node starts; the
 * editor checks them with the same table before the deploy. Every bad property is reported,
 * each naming the property and what it accepts.
 */
import type { NodeDef } from "node-red";
import type { QoS } from "../../core/limits.js";
import type { PublishPermissions } from "../../core/permissions.js";
import type { PacingLimits } from "../../session/pacing.js";
import type { GateLists } from "../../session/types.js";
import { readProps } from "../shared/props.js";
import { SESSION_PROPS } from "./props.js";

export interface SessionNodeDef extends NodeDef {
  broker?: unknown;
  prefix?: unknown;
  qos?: unknown;
  heartbeat?: unknown;
  keepalive?: unknown;
  sessionExpiry?: unknown;
  bufferMaxAge?: unknown;
  bufferMaxPerTopic?: unknown;
  coalesceInterval?: unknown;
  notifyPerMinute?: unknown;
  admitted?: unknown;
  watched?: unknown;
  muted?: unknown;
  publishAllow?: unknown;
  publishDeny?: unknown;
  tls?: unknown;
}

export interface SessionNodeConfig {
  name: string;
  broker: string;
  prefix: string;
  qos: QoS;
  heartbeat: number;
  keepalive: number;
  sessionExpiry: number;
  bufferMaxAge?: number;
  bufferMaxPerTopic?: number;
  pacing: PacingLimits;
  pinned: GateLists;
  publishPermissions: PublishPermissions;
  tls?: string;
}

export type ParsedSessionConfig = { ok: true; config: SessionNodeConfig } | { ok: false; problems: string[] };

export function parseSessionConfig(def: SessionNodeDef): ParsedSessionConfig {
  const read = readProps(SESSION_PROPS, def);
  if (!read.ok) return read;
  const { admitted, watched, muted, publishAllow, publishDeny, bufferMaxAge, bufferMaxPerTopic, coalesceInterval, notifyPerMinute, tls, ...rest } = read.props;
  const config: SessionNodeConfig = {
    ...rest,
    pinned: { admitted, watched, muted },
    publishPermissions: { allow: publishAllow, deny: publishDeny },
    pacing: { intervalSeconds: coalesceInterval, perMinute: notifyPerMinute },
  };
  if (bufferMaxAge !== undefined) config.bufferMaxAge = bufferMaxAge;
  if (bufferMaxPerTopic !== undefined) config.bufferMaxPerTopic = bufferMaxPerTopic;
  if (tls !== undefined) config.tls = tls;
  return { ok: true, config };
}
