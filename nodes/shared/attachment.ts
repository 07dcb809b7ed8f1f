/**
 * Keeps something attached to the session a claude-session node is running now (a
 * claude-action route, a claude-permission approver): attached when a session is
 * running, moved when the config node starts a new one, removed on close.
 */
import type { Session } from "../../session/session.js";
import type { ClaudeSessionNode } from "./types.js";

export class SessionAttachment {
  private session: Session | undefined;
  private detach: (() => void) | undefined;

  constructor(private readonly attach: (session: Session) => () => void) {}

  /** Call on every connection change: attaches to the running session, if it is a new one. */
  follow(config: ClaudeSessionNode | undefined): void {
    const current = config?.current();
    const session = current && "session" in current ? current.session : undefined;
    if (session === this.session) return;
    this.close();
    if (!session) return;
    this.session = session;
    this.detach = this.attach(session);
  }

  close(): void {
    this.detach?.();
    this.detach = undefined;
    this.session = undefined;
  }
}
