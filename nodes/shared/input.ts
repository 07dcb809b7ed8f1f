/**
 * One error path for input handlers: whatever the handler throws or rejects with
 * goes to `done(err)` (so a Catch node sees it) after `onError` has shown it; nothing
 * escapes into the runtime. A handler that finishes without a promise is done at once:
 * no promise per message on a busy node's common path.
 */
import type { Node, NodeMessage, NodeMessageInFlow } from "node-red";

export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;

export function onInput(
  node: Node,
  handle: (msg: NodeMessageInFlow, send: Send) => Promise<void> | void,
  onError: (error: Error) => void,
): void {
  node.on("input", (msg, send, done) => {
    const failed = (err: unknown): void => {
      const error = err instanceof Error ? err : new Error(String(err));
      onError(error);
      done(error);
    };
    let pending: Promise<void> | void;
    try {
      pending = handle(msg, send);
    } catch (err) {
      failed(err);
      return;
    }
    if (pending === undefined) done();
    else pending.then(() => done(), failed);
  });
}

/** A problem with one message (not with the node): reported, never retried. */
export class InputError extends Error {}
