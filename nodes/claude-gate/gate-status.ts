/**
 * claude-gate's status: how many messages left each output (▲ admitted, ◆ watched,
 * ✕ dropped) in the colour of the session's connection, or the last problem until the
 * next message gets through or the connection changes. Throttled: one update per
 * interval however busy the gate is.
 */
import type { Node, NodeAPI } from "node-red";
import { problemStatus, viewStatus, viewStatusWith } from "../shared/status.js";
import { Throttle } from "../shared/throttle.js";
import type { SessionView } from "../shared/types.js";

const STATUS_INTERVAL_MS = 500;

export type Output = "admitted" | "watched" | "dropped";

export class GateStatus {
  private readonly counts: Record<Output, number> = { admitted: 0, watched: 0, dropped: 0 };
  private view: SessionView = { state: "disconnected" };
  private problem: string | undefined;
  private readonly throttle: Throttle;

  constructor(
    node: Pick<Node, "status">,
    private readonly _: NodeAPI["_"],
  ) {
    this.throttle = new Throttle(() => node.status(this.render()), STATUS_INTERVAL_MS);
  }

  connection(view: SessionView): void {
    this.view = view;
    this.problem = undefined; // the connection is the newer news
    this.throttle.request();
  }

  sent(output: Output): void {
    this.counts[output]++;
    this.problem = undefined;
    this.throttle.request();
  }

  failed(problem: string): void {
    this.problem = problem;
    this.throttle.request();
  }

  close(): void {
    this.throttle.close();
  }

  private render() {
    if (this.problem) return problemStatus(this.problem);
    const { admitted, watched, dropped } = this.counts;
    if (admitted + watched + dropped === 0) return viewStatus(this.view);
    return viewStatusWith(this.view, `▲${admitted} ◆${watched} ✕${dropped}`, this._);
  }
}
