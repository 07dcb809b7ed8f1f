/**
 * Spreads a backlog of incoming messages over event-loop turns. mqtt.js hands over, in
 * one go and without yielding, every message it has read, and Node reads a backlog in
 * several 64 KB chunks per turn: after a garbage collection or a moment without the CPU
 * that is thousands of messages, and tool calls and timers would wait behind them all.
 *
 * Rules:
 * - A turn starts with its first message and ends when the event loop next runs its
 *   immediates. Until a turn has spent `budgetMs`, messages are handled as they come.
 * - After that they wait, in order, and are handled in the following turns, `budgetMs`
 *   of them per turn, so the loop serves its other work in between. While any wait,
 *   newcomers queue behind them: order never changes.
 * - At most `maxWaiting` wait; past that, what waits is handled at once, as without a
 *   budget (memory stays bounded when the process cannot keep up at all). `flush`
 *   handles what waits at once too: the connection calls it when it closes, so that
 *   every message it acknowledged has been handled.
 * - The clock is read once per `CHECK_EVERY` messages.
 */

const CHECK_EVERY = 32;

export class TurnBudget<A extends unknown[]> {
  private turnStart = -1;
  private sinceCheck = 0;
  private readonly waiting: A[] = [];
  private draining = false;
  private readonly endTurn = (): void => {
    this.turnStart = -1;
    this.sinceCheck = 0;
  };
  private readonly drain = (): void => {
    this.draining = false;
    const started = this.now();
    let handled = 0;
    while (this.waiting.length > 0) {
      this.handle(...this.waiting.shift()!);
      if (++handled % CHECK_EVERY === 0 && this.now() - started >= this.budgetMs) break;
    }
    if (this.waiting.length > 0) this.scheduleDrain();
  };

  constructor(
    private readonly handle: (...args: A) => void,
    private readonly budgetMs: number,
    private readonly maxWaiting: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How many messages wait for a later turn. */
  get backlog(): number {
    return this.waiting.length;
  }

  offer(...args: A): void {
    if (this.waiting.length > 0 || this.overBudget()) {
      if (this.waiting.length < this.maxWaiting) {
        this.waiting.push(args);
        this.scheduleDrain();
        return;
      }
      this.flush();
    }
    this.handle(...args);
  }

  /** Handles every waiting message now. */
  flush(): void {
    while (this.waiting.length > 0) this.handle(...this.waiting.shift()!);
  }

  private overBudget(): boolean {
    if (this.turnStart < 0) {
      this.turnStart = this.now();
      setImmediate(this.endTurn);
      return false;
    }
    if (++this.sinceCheck % CHECK_EVERY !== 0) return false;
    return this.now() - this.turnStart >= this.budgetMs;
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(this.drain);
  }
}
