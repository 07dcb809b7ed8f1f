/**
 * Watches one claude-session node for the sidebar: follows the events of its current
 * session (a node may run several sessions over its life, one at a time), keeps the
 * last admitted events, and publishes a fresh snapshot after each change, at most
 * twice a second.
 */
import type { LinkHost } from "../../../session/link/host.js";
import type { Session } from "../../../session/session.js";
import type { AdmittedMessage, ConnectionState } from "../../../session/types.js";
import { Throttle } from "../../shared/throttle.js";
import type { SessionView } from "../../shared/types.js";
import { recentEntry, snapshot } from "./snapshot.js";
import type { RecentAdmitted, SessionSnapshot } from "./wire.js";

export const PUBLISH_INTERVAL_MS = 500;
/** Admitted events kept per session for the sidebar. */
export const RECENT_LIMIT = 20;
/** Session events that change what the sidebar shows, beside admitted messages and state changes. */
const CHANGES = ["watched", "dropped", "limit", "lists"] as const;

export interface MonitorOptions {
  id: string;
  name: string;
  hasLinkKey: boolean;
  /** The node's view of its session, as its users see it. */
  view: () => SessionView;
  publish: (snapshot: SessionSnapshot) => void;
}

export class SessionMonitor {
  private running: { session: Session; link?: LinkHost } | undefined;
  private detachSession: () => void = () => undefined;
  private readonly recent: RecentAdmitted[] = [];
  private readonly throttle: Throttle;
  private disposed = false;

  constructor(private readonly options: MonitorOptions) {
    this.throttle = new Throttle(() => this.options.publish(this.snapshot()), PUBLISH_INTERVAL_MS);
    this.changed();
  }

  get id(): string {
    return this.options.id;
  }

  /** Follows a newly built session (and its flow link) until it stops. */
  attach(session: Session, link?: LinkHost): void {
    if (this.disposed) return;
    this.detachSession();
    this.running = link ? { session, link } : { session };
    const onAdmitted = (message: AdmittedMessage): void => {
      this.recent.push(recentEntry(message));
      if (this.recent.length > RECENT_LIMIT) this.recent.shift();
      this.changed();
    };
    const onState = (state: ConnectionState): void => {
      if (state === "stopped") this.detachSession();
      this.changed();
    };
    const onChange = (): void => this.changed();
    session.on("admitted", onAdmitted).on("state", onState);
    for (const event of CHANGES) session.on(event, onChange);
    session.approvals.on("changed", onChange);
    this.detachSession = () => {
      session.off("admitted", onAdmitted).off("state", onState);
      session.approvals.off("changed", onChange);
      for (const event of CHANGES) session.off(event, onChange);
      this.running = undefined;
      this.detachSession = () => undefined;
    };
    this.changed();
  }

  /** Something the sidebar shows has changed (the flow link calls this too). */
  changed(): void {
    if (!this.disposed) this.throttle.request();
  }

  snapshot(): SessionSnapshot {
    return snapshot({
      id: this.options.id,
      name: this.options.name,
      view: this.options.view(),
      hasLinkKey: this.options.hasLinkKey,
      recent: this.recent,
      ...(this.running ? { running: this.running } : {}),
    });
  }

  /** Releases the session's listeners and the pending publish. */
  dispose(): void {
    this.disposed = true;
    this.throttle.close();
    this.detachSession();
  }
}
