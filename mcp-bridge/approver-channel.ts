/**
 * The permission relay in bridge mode (SESSION_APPROVER_KEY set): requests are published
 * on `<prefix>/sessions/<name>/permission` and verdicts accepted on
 * `<prefix>/sessions/<name>/permission/verdict`, both as link frames signed with the
 * approver key (signature, age and replay rules of session/link/protocol.ts). A phone
 * app or a Home Assistant automation holding the key answers; see docs/permission-relay.md.
 */
import type { Verdict } from "../core/permission-requests.js";
import { decodeFrame, emptyRefusals, encodeFrame, NonceCache, type FrameBody, type RefusalCounts } from "../session/link/protocol.js";
import type { Session } from "../session/session.js";
import type { Logger } from "./log.js";
import type { RelayRequest } from "./permission-desk.js";

export class ApproverChannel {
  private readonly nonces = new NonceCache();
  private readonly refused = emptyRefusals();
  private readonly listeners: Array<(verdict: Verdict) => void> = [];

  constructor(
    private readonly session: Session,
    private readonly key: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.session.attachService(this.session.topics.verdict, (topic, payload) => this.receive(topic, payload));
  }

  async publish(request: RelayRequest): Promise<void> {
    const topic = this.session.topics.permission;
    await this.session.publishService(topic, encodeFrame(this.key, topic, "permission", "bridge", request));
  }

  onVerdict(listener: (verdict: Verdict) => void): void {
    this.listeners.push(listener);
  }

  private receive(topic: string, payload: Buffer): void {
    const frame = decodeFrame(this.key, topic, payload, ["verdict"], this.nonces);
    if (!frame.ok) {
      this.refused[frame.reason]++;
      this.log("warn", `[permission] refused a verdict frame: ${frame.reason} (${frame.detail})`);
      return;
    }
    const verdict = frame.body as FrameBody<"verdict">;
    for (const listener of this.listeners) listener(verdict);
  }

  refusals(): RefusalCounts {
    return { ...this.refused };
  }
}
