/**
 * Pending requests of the `request` tool: each waits for a reply carrying its
 * correlation id, with its own timeout, under a cap on how many may wait at once.
 */
export class RequestError extends Error {}

interface Pending {
  target: string;
  replyTopic: string;
  resolve(reply: RequestReply): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface RequestReply {
  content: string;
  sender?: string;
}

export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly cap: number) {}

  get size(): number {
    return this.pending.size;
  }

  /** Registers a request; the promise settles with the reply, a timeout or `cancelAll`. */
  wait(correlationId: string, target: string, replyTopic: string, timeoutSeconds: number): Promise<RequestReply> {
    if (this.pending.size >= this.cap) {
      return Promise.reject(
        new RequestError(`Too many pending requests (${this.cap}). Wait for existing requests to complete.`),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new RequestError(`Request to ${target} timed out after ${timeoutSeconds}s`));
      }, timeoutSeconds * 1000);
      this.pending.set(correlationId, { target, replyTopic, resolve, reject, timer });
    });
  }

  /**
   * Settles the request if `correlationId` is pending and the reply came to the
   * topic the request named as `reply_to`. Returns whether it was consumed.
   */
  settle(correlationId: string, topic: string, reply: RequestReply): boolean {
    const entry = this.pending.get(correlationId);
    if (!entry || entry.replyTopic !== topic) return false;
    clearTimeout(entry.timer);
    this.pending.delete(correlationId);
    entry.resolve(reply);
    return true;
  }

  /** Fails one pending request early (e.g. its publish was refused). */
  fail(correlationId: string, err: Error): void {
    const entry = this.pending.get(correlationId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(correlationId);
    entry.reject(err);
  }

  cancelAll(reason: string): void {
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      this.pending.delete(id);
      entry.reject(new RequestError(reason));
    }
  }
}
