/**
 * The claude-session node's users and its one Session, in mqtt-broker's shape:
 * the first user to register starts the session, every user hears each connection
 * change, the last user leaving because it was removed stops it, and `close` stops it
 * for good. A session that stopped is never restarted; the next start makes a new one.
 */
import type { Session } from "../../session/session.js";
import type { ConnectionState, LimitHit, LogLevel } from "../../session/types.js";
import type { SessionUser, SessionView } from "../shared/types.js";

export type HostLog = (level: LogLevel, message: string) => void;

export class SessionHost {
  private readonly users = new Map<string, SessionUser>();
  private session: Session | undefined;
  /** Removes exactly the listeners this host put on the session (others, such as the flow link, may have their own). */
  private detach: Array<() => void> = [];
  private shown: SessionView;
  private closed = false;

  /** `create` builds a session, not yet started; with a `problem` (unusable config) none is ever built. */
  constructor(
    private readonly source: { create: () => Session } | { problem: string },
    private readonly log: HostLog,
  ) {
    this.shown = "problem" in source ? { state: "invalid", problem: source.problem } : { state: "disconnected" };
  }

  register(user: SessionUser): void {
    this.users.set(user.id, user);
    // A session that could not be built is not retried for every user: the next deploy tries again.
    if (!this.session && !this.closed && this.shown.state !== "invalid" && "create" in this.source) this.start(this.source.create);
    user.sessionChanged(this.shown);
  }

  async deregister(user: SessionUser, removed: boolean): Promise<void> {
    this.users.delete(user.id);
    user.sessionChanged({ state: "disconnected" });
    // On a redeploy the same node comes back at once: keep the connection for it.
    if (removed && this.users.size === 0) await this.stopSession();
  }

  /** What the users are told: the connection state, or why the session cannot run. */
  get view(): SessionView {
    return this.shown;
  }

  current(): { session: Session } | { problem: string } {
    if (this.session) return { session: this.session };
    if (this.shown.state === "invalid") return { problem: this.shown.problem };
    return { problem: "the session is not running (its claude-session node has no users or has been stopped)" };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopSession();
  }

  private start(create: () => Session): void {
    let session: Session;
    try {
      session = create();
    } catch (err) {
      const problem = `the session could not be created: ${(err as Error).message}`;
      this.log("error", problem);
      this.setView({ state: "invalid", problem });
      return;
    }
    this.session = session;
    // The session reports what it found wrong in its file while it was being built, before anyone listened.
    for (const problem of session.status().problems) this.log("warn", problem);
    const onState = (state: ConnectionState, detail: string | undefined): void => this.setView(detail ? { state, detail } : { state });
    const onLog = (level: LogLevel, message: string): void => this.log(level, message);
    const onLimit = (hit: LimitHit): void => this.log("warn", hit.message);
    session.on("state", onState).on("log", onLog).on("limit", onLimit);
    this.detach = [() => session.off("state", onState), () => session.off("log", onLog), () => session.off("limit", onLimit)];
    session.start();
  }

  private async stopSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    try {
      await session.stop();
    } finally {
      for (const off of this.detach.splice(0)) off();
      this.setView({ state: "stopped" });
    }
  }

  private setView(view: SessionView): void {
    this.shown = view;
    for (const user of this.users.values()) user.sessionChanged(view);
  }
}
