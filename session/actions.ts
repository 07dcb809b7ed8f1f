/**
 * Claude's actions through the flow: a publish by Claude to a topic a `claude-action`
 * node routes is handed to that node instead of the broker, and the tool call waits for
 * the flow's answer.
 *
 * Rules:
 * - Routes are tried in the order they were added; the first whose pattern matches wins.
 * - Each action waits at most its route's timeout; then Claude is told the flow did not
 *   confirm. An answer after that, or for an id never handed out, is dropped and counted.
 * - At most `maxPending` actions wait at once; one more is refused, not queued.
 * - The publish permissions are checked before an action is handed over (see Session).
 */
import { randomUUID } from "node:crypto";
import { matches } from "../core/topics.js";

export interface ClaudeAction {
  correlationId: string;
  topic: string;
  text: string;
  tool: "publish" | "reply";
  retain: boolean;
  raw: boolean;
}

export type ActionAnswer = { ok: true; text: string } | { ok: false; text: string };

export type ActionOutcome = { kind: "answered"; answer: ActionAnswer } | { kind: "unconfirmed"; seconds: number };

export interface ActionRoute {
  /** The claude-action node's id. */
  id: string;
  pattern: string;
  timeoutSeconds: number;
  hand(action: ClaudeAction): void;
}

export interface ActionStats {
  routes: Array<{ id: string; pattern: string }>;
  pending: number;
  answered: number;
  unconfirmed: number;
  /** Answers for an id that was not waiting (unknown, or after its timeout). */
  stray: number;
}

interface Waiting {
  resolve(outcome: ActionOutcome): void;
  timer: NodeJS.Timeout;
}

export class ActionError extends Error {}

export class ActionRoutes {
  private readonly routes: ActionRoute[] = [];
  private readonly waiting = new Map<string, Waiting>();
  private readonly counts = { answered: 0, unconfirmed: 0, stray: 0 };

  constructor(private readonly maxPending: number) {}

  /** Adds a route; the returned function removes it (actions already handed over keep waiting). */
  add(route: ActionRoute): () => void {
    this.routes.push(route);
    return () => {
      const i = this.routes.indexOf(route);
      if (i >= 0) this.routes.splice(i, 1);
    };
  }

  find(topic: string): ActionRoute | undefined {
    return this.routes.find((route) => matches(route.pattern, topic));
  }

  /** Hands the action to the route's node and waits for its answer or the timeout. */
  dispatch(route: ActionRoute, action: Omit<ClaudeAction, "correlationId">): Promise<ActionOutcome> {
    if (this.waiting.size >= this.maxPending) {
      throw new ActionError(`too many actions waiting for the flow (${this.maxPending}); wait for them to be answered`);
    }
    const correlationId = randomUUID();
    const outcome = new Promise<ActionOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationId);
        this.counts.unconfirmed++;
        resolve({ kind: "unconfirmed", seconds: route.timeoutSeconds });
      }, route.timeoutSeconds * 1000);
      this.waiting.set(correlationId, { resolve, timer });
    });
    try {
      route.hand({ ...action, correlationId });
    } catch (err) {
      this.settle(correlationId, { ok: false, text: `the flow could not take the action: ${(err as Error).message}` });
    }
    return outcome;
  }

  /** The flow's answer; false (and counted) when no action with that id is waiting. */
  answer(correlationId: string, answer: ActionAnswer): boolean {
    if (this.settle(correlationId, answer)) return true;
    this.counts.stray++;
    return false;
  }

  private settle(correlationId: string, answer: ActionAnswer): boolean {
    const waiting = this.waiting.get(correlationId);
    if (!waiting) return false;
    clearTimeout(waiting.timer);
    this.waiting.delete(correlationId);
    this.counts.answered++;
    waiting.resolve({ kind: "answered", answer });
    return true;
  }

  cancelAll(reason: string): void {
    for (const [id, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      this.waiting.delete(id);
      waiting.resolve({ kind: "answered", answer: { ok: false, text: reason } });
    }
  }

  stats(): ActionStats {
    return { routes: this.routes.map(({ id, pattern }) => ({ id, pattern })), pending: this.waiting.size, ...this.counts };
  }
}
