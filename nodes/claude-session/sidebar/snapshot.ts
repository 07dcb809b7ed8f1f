/** A claude-session node's state as the sidebar shows it, read from its live session and flow link. */
import type { ListName } from "../../../core/gate.js";
import type { LinkHost } from "../../../session/link/host.js";
import type { Session } from "../../../session/session.js";
import type { AdmittedMessage } from "../../../session/types.js";
import type { SessionView } from "../../shared/types.js";
import type { LinkView, ListEntry, PatternOrigin, RecentAdmitted, SessionSnapshot } from "./wire.js";

/** Characters of an admitted message's content shown in the sidebar. */
export const PREVIEW_CHARS = 200;

export interface SnapshotSource {
  id: string;
  name: string;
  /** What the node's users are told (the connection state, or why the session cannot run). */
  view: SessionView;
  /** The running session and, with a link key, its flow link. */
  running?: { session: Session; link?: LinkHost };
  hasLinkKey: boolean;
  recent: readonly RecentAdmitted[];
}

const LISTS: readonly ListName[] = ["admitted", "watched", "muted"];

export function recentEntry(message: AdmittedMessage): RecentAdmitted {
  const truncated = message.content.length > PREVIEW_CHARS;
  return {
    at: new Date(message.receivedAt).toISOString(),
    topic: message.topic,
    ...(message.sender !== undefined ? { sender: message.sender } : {}),
    pattern: message.pattern,
    via: message.via,
    preview: truncated ? message.content.slice(0, PREVIEW_CHARS) : message.content,
    truncated,
  };
}

function linkView(source: SnapshotSource): LinkView {
  if (!source.hasLinkKey) return { state: "no-key" };
  const link = source.running?.link;
  if (!link) return { state: "idle" };
  const { bridges, outbox, outboxLimit, droppedWhileAway, refused } = link.stats();
  return { state: "serving", bridges, outbox, outboxLimit, droppedWhileAway, refused };
}

function idle(source: SnapshotSource): SessionSnapshot {
  const connection =
    source.view.state === "invalid"
      ? { state: "invalid" as const }
      : { state: source.view.state === "stopped" ? ("stopped" as const) : ("idle" as const), detail: "no node uses this session" };
  return {
    id: source.id,
    name: source.name,
    connection,
    problems: source.view.state === "invalid" ? [source.view.problem] : [],
    link: linkView(source),
    lists: { admitted: [], watched: [], muted: [] },
    buffer: { messages: 0, topics: 0, bytes: 0, maxBytes: 0, maxAge: 0, maxPerTopic: 0 },
    counts: {
      admitted: 0,
      watched: 0,
      replies: 0,
      dropped: { muted: 0, echo: 0, unmatched: 0, oversize: 0, "duplicate-retained": 0, duplicate: 0, "overlap-copy": 0, redelivered: 0, failed: 0 },
      evicted: { perTopic: 0, age: 0, bytes: 0 },
    },
    recent: [...source.recent],
    permissions: { approvers: 0, waiting: [], allowed: 0, denied: 0, expired: 0 },
  };
}

function origin(pattern: string, pinned: readonly string[], inbox: string | undefined): PatternOrigin {
  if (pinned.includes(pattern)) return "owner";
  return pattern === inbox ? "inbox" : "claude";
}

/** Characters of a permission request's texts shown in the sidebar. */
export const PERMISSION_PREVIEW_CHARS = 300;

function clipped(text: string): string {
  return text.length > PERMISSION_PREVIEW_CHARS ? `${text.slice(0, PERMISSION_PREVIEW_CHARS)} …` : text;
}

export function snapshot(source: SnapshotSource): SessionSnapshot {
  const session = source.running?.session;
  if (!session) return idle(source);
  const status = session.status();
  const lists = {} as Record<ListName, ListEntry[]>;
  for (const list of LISTS) {
    lists[list] = status[list].map((pattern) => ({ pattern, origin: origin(pattern, status.pinned[list], list === "admitted" ? session.topics.inbox : undefined) }));
  }
  const detail = source.view.state !== "invalid" ? source.view.detail ?? status.connection.lastError : undefined;
  return {
    id: source.id,
    name: source.name,
    connection: { state: status.connection.state, since: status.connection.since, ...(detail ? { detail } : {}) },
    problems: status.problems,
    link: linkView(source),
    lists,
    buffer: {
      messages: status.bufferMessages,
      topics: status.bufferTopics,
      bytes: status.bufferBytes,
      maxBytes: status.bufferMaxBytes,
      maxAge: status.bufferMaxAge,
      maxPerTopic: status.bufferMaxPerTopic,
    },
    counts: {
      admitted: status.counts.admitted,
      watched: status.counts.watched,
      replies: status.counts.replies,
      dropped: status.counts.dropped,
      evicted: status.evicted,
    },
    recent: [...source.recent],
    permissions: {
      approvers: status.permissions.approvers,
      waiting: status.permissions.waiting.map((r) => ({ ...r, description: clipped(r.description), input_preview: clipped(r.input_preview) })),
      allowed: status.permissions.allowed,
      denied: status.permissions.denied,
      expired: status.permissions.expired,
    },
  };
}
