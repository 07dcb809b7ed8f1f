/**
 * Keeps a flood from holding the event loop. mqtt.js hands over, in one go and without
 * yielding, every message it reads from the socket, and Node reads a backlog in several
 * 64 KB chunks per turn: after a garbage collection or a moment without the CPU, that
 * is thousands of messages, and tool calls and timers wait behind all of them.
 *
 * Rules: a turn starts with its first message and ends when the event loop next runs
 * its immediates. Once a turn has spent `budgetMs` on messages, the stream they come
 * from is paused, so the socket is read no further and the loop goes round (what mqtt.js
 * has read already still comes); the next turn resumes it. Nothing is dropped: unread
 * data waits in the socket, and the broker holds the rest. The clock is read once per
 * `CHECK_EVERY` messages.
 */

/** What the budget pauses: the connection's stream. */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

const CHECK_EVERY = 32;

export class ReadBudget {
  private turnStart = -1;
  private spent = 0;
  private paused: Pausable | undefined;
  private readonly endTurn = (): void => {
    this.turnStart = -1;
    this.spent = 0;
    const paused = this.paused;
    this.paused = undefined;
    paused?.resume();
  };

  constructor(
    private readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Called for each message, with the stream it came from. */
  spend(stream: Pausable): void {
    if (this.turnStart < 0) {
      this.turnStart = this.now();
      setImmediate(this.endTurn);
      return;
    }
    if (++this.spent % CHECK_EVERY !== 0 || this.paused !== undefined) return;
    if (this.now() - this.turnStart < this.budgetMs) return;
    this.paused = stream;
    stream.pause();
  }
}
