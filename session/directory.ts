/**
 * Who is out there: the latest retained status of every session under the prefix,
 * fed by a subscription to `<prefix>/sessions/+/status`.
 *
 * Anyone who may publish under the prefix can write here, and the directory is read
 * without the gate, so it keeps little and trusts nothing: a status over
 * MAX_STATUS_BYTES or under a name that is not a session name is ignored (and counted),
 * only the known fields are kept (a name of `[A-Za-z0-9_-]`, a state, a time, a host
 * kind), and at most MAX_DIRECTORY_SESSIONS sessions are held, the longest unheard of
 * going first.
 */
import { validateSessionName } from "../core/session-name.js";
import { isStale, MAX_STATUS_BYTES, parseStatus, withLastSeenBefore, type ReceivedStatus } from "./status.js";

export const MAX_DIRECTORY_SESSIONS = 256;

export interface DirectoryEntry {
  name: string;
  status: "online" | "offline" | "unreadable";
  lastSeen?: string;
  host?: "bridge" | "flow";
  stale: boolean;
}

export interface DirectoryStats {
  sessions: number;
  maxSessions: number;
  /** Status messages not taken in, by reason. */
  ignored: { oversize: number; "bad-name": number };
  /** Sessions dropped to make room for newer ones. */
  evicted: number;
}

/** What is kept of one status: the fields `isStale` and the listing need, nothing else. */
type Kept = Pick<ReceivedStatus, "status" | "lastSeen" | "ts" | "host" | "heartbeat">;

export class SessionDirectory {
  private readonly entries = new Map<string, Kept | undefined>();
  private readonly ignored = { oversize: 0, "bad-name": 0 };
  private evicted = 0;

  constructor(private readonly prefix: string, private readonly maxSessions = MAX_DIRECTORY_SESSIONS) {}

  get filter(): string {
    return `${this.prefix}/sessions/+/status`;
  }

  /** Records a status message; returns false when the topic is not a status topic. */
  record(topic: string, payload: Buffer): boolean {
    const name = this.nameOf(topic);
    if (name === undefined) return false;
    if (validateSessionName(name) !== undefined) {
      this.ignored["bad-name"]++;
      return true;
    }
    if (payload.length > MAX_STATUS_BYTES) {
      this.ignored.oversize++;
      return true;
    }
    const previous = this.entries.get(name);
    this.entries.delete(name);
    if (payload.length === 0) return true;
    const kept = keep(parseStatus(payload));
    this.entries.set(name, kept && withLastSeenBefore(kept, previous));
    if (this.entries.size > this.maxSessions) {
      this.entries.delete(this.entries.keys().next().value as string);
      this.evicted++;
    }
    return true;
  }

  list(now: number): DirectoryEntry[] {
    return [...this.entries.entries()]
      .map(([name, status]): DirectoryEntry => {
        if (!status) return { name, status: "unreadable", stale: false };
        const entry: DirectoryEntry = { name, status: status.status, stale: isStale(status, now) };
        const lastSeen = status.lastSeen ?? status.ts;
        if (lastSeen) entry.lastSeen = lastSeen;
        if (status.host) entry.host = status.host;
        return entry;
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  stats(): DirectoryStats {
    return { sessions: this.entries.size, maxSessions: this.maxSessions, ignored: { ...this.ignored }, evicted: this.evicted };
  }

  private nameOf(topic: string): string | undefined {
    const head = `${this.prefix}/sessions/`;
    if (!topic.startsWith(head) || !topic.endsWith("/status")) return undefined;
    const name = topic.slice(head.length, -"/status".length);
    return name && !name.includes("/") ? name : undefined;
  }
}

function keep(status: ReceivedStatus | undefined): Kept | undefined {
  if (!status) return undefined;
  const kept: Kept = { status: status.status };
  // Times are re-written, so what is shown is a time and nothing else.
  if (status.lastSeen) kept.lastSeen = new Date(Date.parse(status.lastSeen)).toISOString();
  if (status.ts) kept.ts = new Date(Date.parse(status.ts)).toISOString();
  if (status.host) kept.host = status.host;
  if (status.heartbeat) kept.heartbeat = status.heartbeat;
  return kept;
}
