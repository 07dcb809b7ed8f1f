/**
 * Settings from environment variables: the reference plugin's, with the same defaults, plus ours.
 *
 * Rules:
 * - Unset (undefined) → the default. Every other value is checked, and a bad value is an error
 *   naming the variable and what it accepts; nothing is silently defaulted or clamped.
 * - An empty value is a bad value, except MQTT_USERNAME / MQTT_PASSWORD (empty = not sent) and
 *   MQTT_CA_FILE / MQTT_CERT_FILE / MQTT_KEY_FILE / SESSION_LINK_KEY / SESSION_APPROVER_KEY /
 *   MQTT_PUBLISH_ALLOW / MQTT_PUBLISH_DENY (empty = unset).
 * - MQTT_PUBLISH_ALLOW / MQTT_PUBLISH_DENY are comma-separated MQTT topic filters (spaces
 *   around each are trimmed); an empty entry or an invalid filter is an error.
 * - Integers are plain base-10 digits, optionally surrounded by whitespace
 *   ("5s", "1.9", "0x10", "-1", "" are errors).
 * - SESSION_NAME is sanitised to [A-Za-z0-9_-] with a warning, as the reference does;
 *   empty after sanitising is an error.
 * - MQTT_CERT_FILE and MQTT_KEY_FILE are set together or not at all.
 * - All problems are collected and thrown together in one ConfigError.
 * - Warnings, not errors: a sanitised SESSION_NAME, a relative MQTT_STATE_DIR, TLS settings with
 *   a non-TLS broker URL (they have no effect), certificate verification switched off.
 * - Secrets never appear in messages: the link and approver keys are shown as "***", URL credentials are redacted.
 */

import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { brokerUrlReason, BROKER_URL_ACCEPTED, topicPrefixReason, TOPIC_PREFIX_ACCEPTED } from "./connection.js";
import {
  DEFAULT_BROKER_URL,
  DEFAULT_COALESCE_INTERVAL_SECONDS,
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_KEEPALIVE_SECONDS,
  DEFAULT_SESSION_EXPIRY_SECONDS,
  MAX_KEEPALIVE_SECONDS,
  MAX_SESSION_EXPIRY_SECONDS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_NOTIFY_PER_MINUTE,
  DEFAULT_QOS,
  DEFAULT_TAKEBACK_SECONDS,
  DEFAULT_TOPIC_PREFIX,
  MAX_COALESCE_INTERVAL_SECONDS,
  MAX_MQTT_PACKET_BYTES,
  MAX_NOTIFY_PER_MINUTE,
  MAX_TIMER_SECONDS,
  MIN_LINK_KEY_LENGTH,
  MIN_MAX_PAYLOAD_BYTES,
  TLS_PROTOCOLS,
  type QoS,
} from "./limits.js";
import { MAX_SESSION_NAME_LENGTH, sanitizeSessionName } from "./session-name.js";
import { validatePattern } from "./topics.js";

type Env = Record<string, string | undefined>;

export interface Settings {
  stateDir: string;
  brokerUrl: string;
  username?: string;
  password?: string;
  sessionName: string;
  topicPrefix: string;
  qos: QoS;
  heartbeatSeconds: number;
  keepaliveSeconds: number;
  /** 0: a clean MQTT session. */
  sessionExpirySeconds: number;
  requestTimeoutSeconds: number;
  maxPayloadBytes: number;
  maxPendingRequests: number;
  bufferMaxBytes: number;
  /** The owner's bounds for pacing admitted notifications: shortest interval per topic (0 = off), most per minute (0 = no cap). */
  coalesceIntervalSeconds: number;
  notifyPerMinute: number;
  sessionHost: "flow" | "bridge" | "auto";
  /** SESSION_HOST=auto: seconds a flow may stay away before this bridge hosts the session again; 0: never. */
  takebackSeconds: number;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  rejectUnauthorized: boolean;
  linkKey?: string;
  /** Signs the permission relay's verdicts in bridge mode. */
  approverKey?: string;
  /** Where Claude may publish; empty: anywhere not denied. */
  publishAllow: string[];
  publishDeny: string[];
}

/** One bad variable. `message` says what was wrong and what is accepted. */
export interface SettingsProblem {
  variable: string;
  value: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: SettingsProblem[];
  constructor(problems: SettingsProblem[]) {
    super(problems.map((p) => `${p.variable}=${JSON.stringify(p.value)}: ${p.message}`).join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

interface Rule<T> {
  variable: string;
  accepted: string;
  schema: z.ZodType<T, string>;
}

function checked(reason: (value: string) => string | undefined): z.ZodType<string, string> {
  return z.string().check((ctx) => {
    const message = reason(ctx.value);
    if (message) ctx.issues.push({ code: "custom", message, input: ctx.value });
  });
}

const digits = z
  .string()
  .regex(/^\s*\d+\s*$/, "not a whole number in plain digits")
  .transform((s) => Number(s.trim()));

function integer(variable: string, min: number, max: number, unit: string): Rule<number> {
  const range = max === Number.MAX_SAFE_INTEGER ? `, ${min} or more` : ` from ${min} to ${max}`;
  return {
    variable,
    accepted: `a whole number${unit}${range}, in plain digits`,
    schema: digits.pipe(z.number().min(min, `below ${min}`).max(max, max === Number.MAX_SAFE_INTEGER ? "too large" : `above ${max}`)),
  };
}

function filterList(variable: string): Rule<string[]> {
  return {
    variable,
    accepted: "MQTT topic filters separated by commas, e.g. home/commands/#,claude/sessions/+/inbox",
    schema: z.string().transform((raw, ctx) => {
      const filters = raw.split(",").map((entry) => entry.trim());
      filters.forEach((filter, i) => {
        const reason = filter === "" ? `entry ${i + 1} is empty` : validatePattern(filter);
        if (reason) ctx.issues.push({ code: "custom", message: reason, input: raw });
      });
      return filters;
    }),
  };
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function describeControl(raw: string): string {
  const code = CONTROL_CHARACTER.exec(raw)?.[0].charCodeAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

const RULES = {
  stateDir: { variable: "MQTT_STATE_DIR", accepted: "a directory path", schema: z.string() },
  brokerUrl: {
    variable: "MQTT_BROKER_URL",
    accepted: BROKER_URL_ACCEPTED,
    schema: checked(brokerUrlReason),
  },
  sessionName: {
    variable: "SESSION_NAME",
    accepted: `letters, digits, "_" and "-" (other characters are removed), at most ${MAX_SESSION_NAME_LENGTH} characters`,
    schema: z
      .string()
      // Removing other characters is the reference's rule for typos; a control character is no typo.
      .superRefine((raw, ctx) => {
        if (CONTROL_CHARACTER.test(raw)) ctx.addIssue({ code: "custom", message: `contains the control character ${describeControl(raw)}` });
      })
      .transform((raw) => sanitizeSessionName(raw).name)
      .pipe(
        z
          .string()
          .min(1, 'nothing is left after removing the characters other than letters, digits, "_" and "-"')
          .max(MAX_SESSION_NAME_LENGTH, `longer than ${MAX_SESSION_NAME_LENGTH} characters`),
      ),
  },
  topicPrefix: {
    variable: "MQTT_TOPIC_PREFIX",
    accepted: TOPIC_PREFIX_ACCEPTED,
    schema: checked(topicPrefixReason),
  },
  qos: {
    variable: "QOS",
    accepted: "0, 1 or 2",
    schema: digits.pipe(z.union([z.literal(0), z.literal(1), z.literal(2)], "not an MQTT QoS level")),
  },
  heartbeatSeconds: integer("HEARTBEAT_INTERVAL", 1, MAX_TIMER_SECONDS, " of seconds"),
  keepaliveSeconds: integer("MQTT_KEEPALIVE", 1, MAX_KEEPALIVE_SECONDS, " of seconds"),
  sessionExpirySeconds: integer("MQTT_SESSION_EXPIRY", 0, MAX_SESSION_EXPIRY_SECONDS, " of seconds (0: a clean session)"),
  requestTimeoutSeconds: integer("MQTT_REQUEST_TIMEOUT", 1, 600, " of seconds"),
  maxPayloadBytes: integer("MQTT_MAX_PAYLOAD_BYTES", MIN_MAX_PAYLOAD_BYTES, MAX_MQTT_PACKET_BYTES, " of bytes"),
  maxPendingRequests: integer("MQTT_MAX_PENDING_REQUESTS", 1, Number.MAX_SAFE_INTEGER, ""),
  bufferMaxBytes: integer("MQTT_BUFFER_MAX_BYTES", 65_536, Number.MAX_SAFE_INTEGER, " of bytes"),
  coalesceIntervalSeconds: integer("MQTT_COALESCE_INTERVAL", 0, MAX_COALESCE_INTERVAL_SECONDS, " of seconds (0: off)"),
  notifyPerMinute: integer("MQTT_NOTIFY_MAX_PER_MINUTE", 0, MAX_NOTIFY_PER_MINUTE, " (0: no cap)"),
  takebackSeconds: integer("SESSION_TAKEBACK_AFTER", 0, MAX_TIMER_SECONDS, " of seconds (0: never)"),
  sessionHost: {
    variable: "SESSION_HOST",
    accepted: "flow, bridge or auto",
    schema: z.string().trim().toLowerCase().pipe(z.enum(["flow", "bridge", "auto"], "not a session host")),
  },
  rejectUnauthorized: {
    variable: "MQTT_REJECT_UNAUTHORIZED",
    accepted: "true, false, 1, 0, yes or no (any case)",
    schema: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(["true", "false", "1", "0", "yes", "no"], "not a yes/no value"))
      .transform((v) => v === "true" || v === "1" || v === "yes"),
  },
  linkKey: {
    variable: "SESSION_LINK_KEY",
    accepted: `at least ${MIN_LINK_KEY_LENGTH} characters (the claude-session node's editor generates one)`,
    schema: checked((key) => (key.length < MIN_LINK_KEY_LENGTH ? `too short (${key.length} characters)` : undefined)),
  },
  approverKey: {
    variable: "SESSION_APPROVER_KEY",
    accepted: `at least ${MIN_LINK_KEY_LENGTH} characters (e.g. openssl rand -base64 32)`,
    schema: checked((key) => (key.length < MIN_LINK_KEY_LENGTH ? `too short (${key.length} characters)` : undefined)),
  },
  publishAllow: filterList("MQTT_PUBLISH_ALLOW"),
  publishDeny: filterList("MQTT_PUBLISH_DENY"),
} satisfies Record<string, Rule<unknown>>;

function shown(variable: string, raw: string): string {
  return variable === RULES.linkKey.variable || variable === RULES.approverKey.variable ? "***" : variable === RULES.brokerUrl.variable ? redactUrl(raw) : raw;
}

function check<T>(rule: Rule<T>, raw: string, problems: SettingsProblem[]): T | undefined {
  const result = rule.schema.safeParse(raw);
  if (result.success) return result.data;
  const reasons = [...new Set(result.error.issues.map((issue) => issue.message))].join("; ");
  problems.push({ variable: rule.variable, value: shown(rule.variable, raw), message: `${reasons}; accepted: ${rule.accepted}` });
  return undefined;
}

/** The variable's value, or `fallback` when it is unset (or bad: then a problem is recorded). */
function withDefault<T>(env: Env, rule: Rule<T>, fallback: T, problems: SettingsProblem[]): T {
  const raw = env[rule.variable];
  if (raw === undefined) return fallback;
  if (raw === "") {
    problems.push({
      variable: rule.variable,
      value: raw,
      message: `empty (unset it for the default, ${String(fallback)}); accepted: ${rule.accepted}`,
    });
    return fallback;
  }
  return check(rule, raw, problems) ?? fallback;
}

/** The variable's value, or `undefined` when it is unset or empty. */
function optional<T>(env: Env, rule: Rule<T>, problems: SettingsProblem[]): T | undefined {
  const raw = env[rule.variable];
  if (raw === undefined || raw === "") return undefined;
  return check(rule, raw, problems);
}

function defaultStateDir(homeDir: string): string {
  return join(homeDir, ".claude", "channels", "mqtt");
}

/** MQTT_STATE_DIR, or `<homeDir>/.claude/channels/mqtt` when unset. Throws ConfigError when it is set but empty. */
export function resolveStateDir(env: Env, homeDir: string): string {
  const problems: SettingsProblem[] = [];
  const dir = withDefault(env, RULES.stateDir, defaultStateDir(homeDir), problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return dir;
}

/** Throws ConfigError listing ALL bad variables at once. warnings: e.g. SESSION_NAME sanitized from "a b" to "ab". */
export function parseSettings(env: Env, homeDir: string): { settings: Settings; warnings: string[] } {
  const problems: SettingsProblem[] = [];
  const warnings: string[] = [];

  const stateDir = withDefault(env, RULES.stateDir, defaultStateDir(homeDir), problems);
  const brokerUrl = withDefault(env, RULES.brokerUrl, DEFAULT_BROKER_URL, problems);
  const username = env.MQTT_USERNAME || undefined;
  const password = env.MQTT_PASSWORD || undefined;
  const sessionName = withDefault(env, RULES.sessionName, "default", problems);
  const topicPrefix = withDefault(env, RULES.topicPrefix, DEFAULT_TOPIC_PREFIX, problems);
  const qos = withDefault(env, RULES.qos, DEFAULT_QOS, problems);
  const heartbeatSeconds = withDefault(env, RULES.heartbeatSeconds, DEFAULT_HEARTBEAT_SECONDS, problems);
  const keepaliveSeconds = withDefault(env, RULES.keepaliveSeconds, DEFAULT_KEEPALIVE_SECONDS, problems);
  const sessionExpirySeconds = withDefault(env, RULES.sessionExpirySeconds, DEFAULT_SESSION_EXPIRY_SECONDS, problems);
  const requestTimeoutSeconds = withDefault(env, RULES.requestTimeoutSeconds, 120, problems);
  const maxPayloadBytes = withDefault(env, RULES.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES, problems);
  const maxPendingRequests = withDefault(env, RULES.maxPendingRequests, 50, problems);
  const bufferMaxBytes = withDefault(env, RULES.bufferMaxBytes, 16_777_216, problems);
  const coalesceIntervalSeconds = withDefault(env, RULES.coalesceIntervalSeconds, DEFAULT_COALESCE_INTERVAL_SECONDS, problems);
  const notifyPerMinute = withDefault(env, RULES.notifyPerMinute, DEFAULT_NOTIFY_PER_MINUTE, problems);
  const sessionHost = withDefault<Settings["sessionHost"]>(env, RULES.sessionHost, "auto", problems);
  const takebackSeconds = withDefault(env, RULES.takebackSeconds, DEFAULT_TAKEBACK_SECONDS, problems);
  const rejectUnauthorized = withDefault(env, RULES.rejectUnauthorized, true, problems);
  const linkKey = optional(env, RULES.linkKey, problems);
  const approverKey = optional(env, RULES.approverKey, problems);
  const publishAllow = optional(env, RULES.publishAllow, problems) ?? [];
  const publishDeny = optional(env, RULES.publishDeny, problems) ?? [];
  const caFile = env.MQTT_CA_FILE || undefined;
  const certFile = env.MQTT_CERT_FILE || undefined;
  const keyFile = env.MQTT_KEY_FILE || undefined;

  // A certificate without its key (or the reverse) only fails later, in the TLS handshake.
  if (certFile !== undefined && keyFile === undefined) {
    problems.push({
      variable: "MQTT_KEY_FILE",
      value: env.MQTT_KEY_FILE ?? "",
      message: "unset while MQTT_CERT_FILE is set; accepted: the path of the client certificate's private key, set together with MQTT_CERT_FILE",
    });
  }
  if (keyFile !== undefined && certFile === undefined) {
    problems.push({
      variable: "MQTT_CERT_FILE",
      value: env.MQTT_CERT_FILE ?? "",
      message: "unset while MQTT_KEY_FILE is set; accepted: the path of the client certificate, set together with MQTT_KEY_FILE",
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const rawName = env[RULES.sessionName.variable];
  if (rawName !== undefined && rawName !== sessionName) {
    warnings.push(`SESSION_NAME sanitized from "${rawName}" to "${sessionName}"`);
  }
  if (!isAbsolute(stateDir)) {
    warnings.push(`MQTT_STATE_DIR "${stateDir}" is a relative path; it is resolved against the working directory`);
  }
  const protocol = brokerUrl.slice(0, brokerUrl.indexOf(":"));
  if (!TLS_PROTOCOLS.includes(protocol)) {
    const tlsOnly = ["MQTT_CA_FILE", "MQTT_CERT_FILE", "MQTT_KEY_FILE", "MQTT_REJECT_UNAUTHORIZED"].filter((v) => env[v]);
    for (const variable of tlsOnly) {
      warnings.push(`${variable} has no effect: MQTT_BROKER_URL uses ${protocol}://, which is not TLS (use mqtts:// or wss://)`);
    }
  } else if (!rejectUnauthorized) {
    warnings.push("MQTT_REJECT_UNAUTHORIZED is false: the broker's TLS certificate is not verified");
  }

  const settings: Settings = {
    stateDir,
    brokerUrl,
    sessionName,
    topicPrefix,
    qos,
    heartbeatSeconds,
    keepaliveSeconds,
    sessionExpirySeconds,
    requestTimeoutSeconds,
    maxPayloadBytes,
    maxPendingRequests,
    bufferMaxBytes,
    coalesceIntervalSeconds,
    notifyPerMinute,
    sessionHost,
    takebackSeconds,
    rejectUnauthorized,
    publishAllow,
    publishDeny,
  };
  if (username !== undefined) settings.username = username;
  if (password !== undefined) settings.password = password;
  if (caFile !== undefined) settings.caFile = caFile;
  if (certFile !== undefined) settings.certFile = certFile;
  if (keyFile !== undefined) settings.keyFile = keyFile;
  if (linkKey !== undefined) settings.linkKey = linkKey;
  if (approverKey !== undefined) settings.approverKey = approverKey;
  return { settings, warnings };
}

/**
 * A copy of the broker URL safe to show (password and username in the URL replaced by "***").
 * The credentials are taken to end at the last "@", so that an unencoded "@", "/" or "#" in a
 * password is hidden too; it also works on strings that are not valid URLs.
 */
export function redactUrl(url: string): string {
  const scheme = url.indexOf("://");
  const start = scheme >= 0 ? scheme + 3 : 0;
  const at = url.lastIndexOf("@");
  if (at < start) return url;
  const userinfo = url.slice(start, at);
  const colon = userinfo.indexOf(":");
  const hidden =
    colon < 0
      ? userinfo && "***"
      : `${userinfo.slice(0, colon) && "***"}:${userinfo.slice(colon + 1) && "***"}`;
  return url.slice(0, start) + hidden + url.slice(at);
}
