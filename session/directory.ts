/**
 * Who is out there: the latest retained status of every session under the prefix,
 * fed by a subscription to `<prefix>/sessions/+/status`.
 */
import { isStale, parseStatus, type ReceivedStatus } from "./status.js";

export interface DirectoryEntry {
  name: string;
  status: "online" | "offline" | "unreadable";
  lastSeen?: string;
  host?: string;
  stale: boolean;
}

export class SessionDirectory {
  private readonly entries = new Map<string, ReceivedStatus | undefined>();

  constructor(private readonly prefix: string) {}

  get filter(): string {
    return `${this.prefix}/sessions/+/status`;
  }

  /** Records a status message; returns false when the topic is not a status topic. */
  record(topic: string, payload: Buffer): boolean {
    const name = this.nameOf(topic);
    if (name === undefined) return false;
    if (payload.length === 0) this.entries.delete(name);
    else this.entries.set(name, parseStatus(payload));
    return true;
  }

  get(name: string): ReceivedStatus | undefined {
    return this.entries.get(name);
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

  private nameOf(topic: string): string | undefined {
    const head = `${this.prefix}/sessions/`;
    if (!topic.startsWith(head) || !topic.endsWith("/status")) return undefined;
    const name = topic.slice(head.length, -"/status".length);
    return name && !name.includes("/") ? name : undefined;
  }
}
