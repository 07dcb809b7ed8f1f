/**
 * claude-session: the config node that owns one live Session (host "flow") for the
 * claude-gate and claude-publish nodes using it. The editor's lists are the owner's
 * (pinned, re-applied on every start); what Claude adds persists in
 * `<userDir>/claude-channel/sessions/<name>.json`, outside the flow file.
 */
import { join } from "node:path";
import type { Node, NodeAPI, NodeInitializer } from "node-red";
import { MIN_LINK_KEY_LENGTH } from "../../core/limits.js";
import { parseSettings } from "../../core/settings.js";
import type { LinkHost } from "../../session/link/host.js";
import { linkedSession } from "../../session/link/hosted.js";
import { packageVersion } from "../../session/package-version.js";
import { Session } from "../../session/session.js";
import { FileSessionStore } from "../../session/store.js";
import type { SessionOptions } from "../../session/types.js";
import { SESSION_NODE_TYPE, type ClaudeSessionNode, type SessionCredentials } from "../shared/types.js";
import { parseSessionConfig, type SessionNodeConfig, type SessionNodeDef } from "./config.js";
import { SessionHost, type HostLog } from "./host.js";
import { fileOutboxStore } from "../../session/link/outbox-store.js";
import { startBoard } from "./sidebar/board.js";
import { tlsFromConfigNode } from "./tls.js";

// What the editor does not set follows the bridge's defaults (MQTT_REQUEST_TIMEOUT and the other limits).
const BRIDGE_DEFAULTS = parseSettings({}, "/").settings;

type Ready = { ok: true; config: SessionNodeConfig; options: SessionOptions; linkKey?: string; outboxPath?: string };
type Prepared = Ready | { ok: false; problem: string };

/** The node's properties checked and turned into session options, or every problem found. */
function prepare(RED: NodeAPI, node: ClaudeSessionNode, def: SessionNodeDef, version: string): Prepared {
  const parsed = parseSessionConfig(def);
  if (!parsed.ok) return { ok: false, problem: parsed.problems.join("; ") };
  const { config } = parsed;
  const options: SessionOptions = {
    name: config.name,
    prefix: config.prefix,
    brokerUrl: config.broker,
    qos: config.qos,
    heartbeatSeconds: config.heartbeat,
    keepaliveSeconds: config.keepalive,
    sessionExpirySeconds: config.sessionExpiry,
    requestTimeoutSeconds: BRIDGE_DEFAULTS.requestTimeoutSeconds,
    maxPayloadBytes: BRIDGE_DEFAULTS.maxPayloadBytes,
    maxPendingRequests: BRIDGE_DEFAULTS.maxPendingRequests,
    bufferMaxBytes: BRIDGE_DEFAULTS.bufferMaxBytes,
    host: "flow",
    version,
    pinned: config.pinned,
    publishPermissions: config.publishPermissions,
    pacing: config.pacing,
  };
  const credentials: SessionCredentials | undefined = node.credentials;
  if (credentials?.username) options.username = credentials.username;
  if (credentials?.password) options.password = credentials.password;
  const linkKey = credentials?.linkKey || undefined;
  if (linkKey !== undefined && linkKey.length < MIN_LINK_KEY_LENGTH) {
    return { ok: false, problem: `the link key is too short (${linkKey.length} characters; at least ${MIN_LINK_KEY_LENGTH}): generate one in the Security tab` };
  }
  if (config.tls) {
    const found = tlsFromConfigNode(RED, config.tls);
    if (!found.ok) return { ok: false, problem: found.problem };
    options.tls = found.tls;
    if (!/^(mqtts|wss|ssl):/.test(config.broker)) {
      node.warn(`the TLS configuration has no effect: the broker URL ${config.broker.split(":")[0]}:// is not TLS (use mqtts:// or wss://)`);
    }
  }
  const userDir = RED.settings.userDir;
  if (userDir) {
    options.store = FileSessionStore.forSession(join(userDir, "claude-channel", "sessions"), config.name);
  } else {
    node.warn("Node-RED has no user directory: the lists Claude changes are kept in memory only");
  }
  const outboxPath = userDir ? join(userDir, "claude-channel", "outbox", `${config.name}.jsonl`) : undefined;
  return { ok: true, config, options, ...(linkKey ? { linkKey } : {}), ...(outboxPath ? { outboxPath } : {}) };
}

/** A session and, when it serves Claude Code's bridge, its flow link. */
interface Built {
  session: Session;
  link?: LinkHost;
}

/**
 * With a link key, the session also serves Claude Code's bridge over the flow link.
 * Messages it has not delivered wait in `<userDir>/claude-channel/outbox/<name>.jsonl`
 * (a journal) across a deploy, a restart and a kill.
 */
function withLink(prepared: Ready, log: HostLog, onLinkChange: () => void): Built {
  const { options, linkKey: key, outboxPath } = prepared;
  if (!key) return { session: new Session(options) };
  const outboxStore = outboxPath ? fileOutboxStore(outboxPath, (problem) => log("error", problem)) : undefined;
  const { session, link, attached } = linkedSession(options, { key, onChange: onLinkChange, ...(outboxStore ? { outboxStore } : {}) });
  attached.catch((err: unknown) => log("error", `the flow link could not start: ${String(err)}`));
  return { session, link };
}

/** A new session with the owner's buffer limits, when the editor sets them, written over the session file's. */
function createSession(prepared: Ready, log: HostLog, onLinkChange: () => void): Built {
  const { config } = prepared;
  const built = withLink(prepared, log, onLinkChange);
  const own = built.session.currentConfig();
  const changes: { bufferMaxAge?: number; bufferMaxPerTopic?: number } = {};
  if (config.bufferMaxAge !== undefined && config.bufferMaxAge !== own.bufferMaxAge) changes.bufferMaxAge = config.bufferMaxAge;
  if (config.bufferMaxPerTopic !== undefined && config.bufferMaxPerTopic !== own.bufferMaxPerTopic) {
    changes.bufferMaxPerTopic = config.bufferMaxPerTopic;
  }
  if (Object.keys(changes).length > 0) {
    try {
      built.session.config(changes);
    } catch (err) {
      log("warn", (err as Error).message);
    }
  }
  return built;
}

const init: NodeInitializer = (RED) => {
  const version = packageVersion(__dirname);
  const board = startBoard(RED);

  function ClaudeSession(this: ClaudeSessionNode, def: SessionNodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const log: HostLog = (level, message) => {
      if (level === "info") node.log(message);
      else if (level === "warn") node.warn(message);
      else node.error(message);
    };

    const prepared = prepare(RED, node, def, version);
    if (!prepared.ok) node.error(`claude-session ${JSON.stringify(def.name ?? "")} cannot start: ${prepared.problem}`);
    const sessionName = prepared.ok ? prepared.config.name : String(def.name ?? "");
    // The editor's sidebar follows every session this node runs.
    const monitor = board.add({
      id: node.id,
      name: sessionName,
      hasLinkKey: prepared.ok && prepared.linkKey !== undefined,
      view: () => host.view,
    });
    const create = (ready: Ready) => (): Session => {
      const built = createSession(ready, log, () => monitor.changed());
      monitor.attach(built.session, built.link);
      return built.session;
    };
    const host = new SessionHost(prepared.ok ? { create: create(prepared) } : { problem: prepared.problem }, log);
    // With a link key Claude works through this session even when no gate or publish node uses it.
    if (prepared.ok && prepared.linkKey) host.register({ id: node.id, sessionChanged: () => undefined });

    const offered: Omit<ClaudeSessionNode, keyof Node> = {
      sessionName,
      prefix: prepared.ok ? prepared.config.prefix : "claude",
      maxPayloadBytes: prepared.ok ? prepared.options.maxPayloadBytes : BRIDGE_DEFAULTS.maxPayloadBytes,
      register: (user) => host.register(user),
      deregister: (user, removed) => host.deregister(user, removed),
      current: () => host.current(),
    };
    Object.assign(node, offered);

    node.on("close", (removed: boolean, done: () => void) => {
      board.remove(monitor, removed);
      host.close().then(done, (err: unknown) => {
        node.warn(`stopping the session failed: ${String(err)}`);
        done();
      });
    });
  }

  RED.nodes.registerType<ClaudeSessionNode, SessionNodeDef, unknown, SessionCredentials>(SESSION_NODE_TYPE, ClaudeSession, {
    credentials: {
      username: { type: "text" },
      password: { type: "password" },
      linkKey: { type: "password" },
    },
  });
};

export = init;
