/**
 * SESSION_HOST=auto after the start: the session follows the flow.
 *
 * - Hosting the session itself (no flow was online at the start, or the flow went away), the
 *   bridge hands it to a flow that comes online: its own session stops without an offline
 *   status (the flow's online one is the latest) and the tools go over the link.
 * - Using a flow, the bridge takes the session back when the flow stays away (offline, or its
 *   Last Will) longer than SESSION_TAKEBACK_AFTER seconds; 0 never does.
 *
 * The link client runs the whole time: it is how the flow's status is seen. Each switch is
 * told to Claude as a channel notification and shown by `status` (mode, modeReason).
 * Permission relaying is what the first backend declared (the MCP capability is fixed at
 * the handshake).
 */
import { channelMeta } from "../core/meta.js";
import type { Verdict } from "../core/permission-requests.js";
import type { LinkClient } from "../session/link/client.js";
import type { ReceivedStatus } from "../session/status.js";
import type { ChannelNotification, ModeChoice, SessionBackend, ToolOutcome } from "./backend.js";
import type { FlowBackend } from "./flow-backend.js";
import type { LocalBackend } from "./local-backend.js";
import type { Logger } from "./log.js";
import type { RelayRequest } from "./permission-desk.js";

export interface AutoBackendOptions {
  link: LinkClient;
  flow: FlowBackend;
  /** A new bridge-hosted session, each time the bridge takes the session (back). */
  local: (choice: ModeChoice) => LocalBackend;
  /** Where the session is at the start. */
  initial: ModeChoice;
  sessionName: string;
  takebackSeconds: number;
  log: Logger;
}

export function flowHosts(status: ReceivedStatus | undefined): boolean {
  return status?.status === "online" && status.host === "flow";
}

export class AutoBackend implements SessionBackend {
  /** The session this bridge hosts; none while a flow hosts it. */
  private local: LocalBackend | undefined;
  private choice: ModeChoice;
  private readonly notificationListeners: Array<(notification: ChannelNotification) => void> = [];
  private readonly verdictListeners: Array<(verdict: Verdict) => void> = [];
  private takeback: NodeJS.Timeout | undefined;
  /** The switch under way; calls wait for it. */
  private switching: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: AutoBackendOptions) {
    this.choice = options.initial;
    if (options.initial.mode === "bridge") this.local = this.newLocal(options.initial);
    options.link.on("status", (status) => this.onFlowStatus(status));
  }

  private get current(): SessionBackend {
    return this.local ?? this.options.flow;
  }

  async start(): Promise<void> {
    await this.current.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.takeback);
    await this.switching;
    await this.local?.stop();
    await this.options.flow.stop();
  }

  async call(tool: string, args: unknown): Promise<ToolOutcome> {
    await this.switching;
    return this.current.call(tool, args);
  }

  onNotification(listener: (notification: ChannelNotification) => void): void {
    this.notificationListeners.push(listener);
    this.options.flow.onNotification(listener);
    this.local?.onNotification(listener);
  }

  describe(): ModeChoice {
    return this.choice;
  }

  approver(): Promise<boolean> {
    return this.current.approver();
  }

  relayPermission(request: RelayRequest): Promise<void> {
    return this.current.relayPermission(request);
  }

  onVerdict(listener: (verdict: Verdict) => void): void {
    this.verdictListeners.push(listener);
    this.options.flow.onVerdict(listener);
    this.local?.onVerdict(listener);
  }

  relayStatus(): Record<string, unknown> {
    return this.current.relayStatus();
  }

  private onFlowStatus(status: ReceivedStatus | undefined): void {
    if (this.stopped) return;
    if (flowHosts(status)) {
      clearTimeout(this.takeback);
      this.takeback = undefined;
      if (this.local) this.switchTo(() => this.handToFlow());
      return;
    }
    const { takebackSeconds } = this.options;
    if (!this.local && takebackSeconds > 0 && this.takeback === undefined) {
      this.takeback = setTimeout(() => {
        this.takeback = undefined;
        if (!flowHosts(this.options.link.status)) this.switchTo(() => this.takeBack());
      }, takebackSeconds * 1000);
    }
  }

  private switchTo(change: () => Promise<void>): void {
    this.switching = this.switching.then(async () => {
      if (this.stopped) return;
      try {
        await change();
      } catch (err) {
        this.options.log("error", `SESSION_HOST=auto: could not move session "${this.options.sessionName}": ${(err as Error).message}`);
      }
    });
  }

  private async handToFlow(): Promise<void> {
    const local = this.local;
    if (!local) return;
    this.local = undefined;
    this.choice = {
      mode: "flow",
      reason: `SESSION_HOST=auto: a Node-RED flow came online for session "${this.options.sessionName}" at ${new Date().toISOString()}, and this bridge handed the session to it`,
    };
    await local.handOver();
    this.announce(
      `Session "${this.options.sessionName}" is now hosted by the Node-RED flow: its lists, permissions and buffer apply from here on (what was admitted, watched or buffered while this bridge hosted the session stays in the bridge's session file, not in the flow).`,
    );
  }

  private async takeBack(): Promise<void> {
    if (this.local) return;
    const { takebackSeconds, sessionName } = this.options;
    const choice: ModeChoice = {
      mode: "bridge",
      reason: `SESSION_HOST=auto: the flow hosting session "${sessionName}" was away for more than ${takebackSeconds}s (SESSION_TAKEBACK_AFTER), so this bridge hosts it since ${new Date().toISOString()}; it hands it back when the flow returns`,
    };
    const local = this.newLocal(choice);
    this.local = local;
    this.choice = choice;
    await local.start();
    this.announce(
      `The Node-RED flow hosting session "${sessionName}" has been away for more than ${takebackSeconds}s, so this bridge hosts the session now, with its own lists (the bridge's session file). When the flow is back, the session goes back to it.`,
    );
  }

  private newLocal(choice: ModeChoice): LocalBackend {
    const local = this.options.local(choice);
    for (const listener of this.notificationListeners) local.onNotification(listener);
    for (const listener of this.verdictListeners) local.onVerdict(listener);
    return local;
  }

  private announce(text: string): void {
    this.options.log("info", text);
    const notification: ChannelNotification = {
      content: text,
      meta: channelMeta({ source: "mqtt", topic: this.options.link.topics.status, sender: "bridge", ts: new Date().toISOString() }),
    };
    for (const listener of this.notificationListeners) listener(notification);
  }
}
