/**
 * One error path for input handlers: whatever the handler throws or rejects with
 * goes to `done(err)` (so a Catch node sees it) after `onError` has shown it; nothing
 * escapes into the runtime.
 */
import type { Node, NodeMessage, NodeMessageInFlow } from "node-red";

export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;

export function onInput(
  node: Node,
  handle: (msg: NodeMessageInFlow, send: Send) => Promise<void> | void,
  onError: (error: Error) => void,
): void {
  node.on("input", (msg, send, done) => {
    Promise.resolve()
      .then(() => handle(msg, send))
      .then(
        () => done(),
        (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          onError(error);
          done(error);
        },
      );
  });
}

/** A problem with one message (not with the node): reported, never retried. */
export class InputError extends Error {}
