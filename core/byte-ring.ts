/**
 * The watched buffer's message texts as UTF-8 bytes in one growing ring, off the
 * JavaScript heap: a flood keeps tens of thousands of messages for seconds each, and
 * as strings every one of them would be copied and marked by the garbage collector
 * before it is evicted.
 *
 * Rules:
 * - Records are written at the tail in arrival order; a record never wraps (one that
 *   does not fit before the end starts again at 0).
 * - The caller tells where its oldest live record starts; the space from there to the
 *   tail is taken, whatever was released in between (a hole is reused once the oldest
 *   record moves past it). With no live bytes left, writing starts again at 0.
 * - When a record does not fit, the live records (the caller lists them, oldest first)
 *   are copied into a new ring, and their places rewritten. The new ring has `expected`
 *   bytes (the most the caller means to hold: its byte bound) when that leaves a third
 *   free, else half as much again as the live bytes need. Memory is taken from the
 *   system as it is first written, so a ring of the expected size costs only what
 *   was used, and a flood grows it once instead of through a series of copies whose
 *   old rings would all wait for the garbage collector. A steady flood, evicting
 *   oldest first, then goes round the ring without copying.
 */

/** The caller's live records, for a rebuild: `move` copies one and says where it now starts. */
export interface RingRecords {
  /** Calls `move(at, length)` for every live record, oldest first, and keeps the place it returns. */
  relocate(move: (at: number, length: number) => number): void;
}

/** The smallest ring, and the step its size is rounded up to. */
const INITIAL_BYTES = 64 * 1024;
/** The largest `expected` taken at its word (V8 counts such memory towards collecting garbage sooner); past it the ring grows by what it holds. */
const MAX_EXPECTED_BYTES = 64 * 1024 * 1024;

export class ByteRing {
  private bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  private tail = 0;
  private live = 0;

  /** `expected`: how many bytes the caller means to hold at most (it may change). */
  constructor(public expected = 0) {}

  /** Bytes held by live records. */
  get liveBytes(): number {
    return this.live;
  }

  /** Bytes the ring takes in memory. */
  get capacity(): number {
    return this.bytes.length;
  }

  /**
   * Writes `length` UTF-8 bytes of `text` and returns where they start. `oldest`: the
   * start of the oldest live record, undefined when there is none; `records`: the live
   * records (walked only when the ring must be rebuilt).
   */
  writeText(text: string, length: number, oldest: number | undefined, records: RingRecords): number {
    const at = this.place(length, oldest, records);
    this.bytes.write(text, at, length, "utf8");
    return at;
  }

  /** As writeText, for bytes that are already UTF-8. */
  writeBytes(source: Uint8Array, oldest: number | undefined, records: RingRecords): number {
    const at = this.place(source.length, oldest, records);
    this.bytes.set(source, at);
    return at;
  }

  read(at: number, length: number): string {
    return this.bytes.toString("utf8", at, at + length);
  }

  /** A record of `length` bytes is no longer needed. */
  release(length: number): void {
    this.live -= length;
  }

  /** Every record is gone (and the memory grown for a flood goes back). */
  clear(): void {
    this.tail = 0;
    this.live = 0;
    if (this.bytes.length > INITIAL_BYTES) this.bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  }

  private place(length: number, oldest: number | undefined, records: RingRecords): number {
    let at = this.fit(length, oldest);
    if (at === undefined) {
      this.rebuild(this.sizeFor(this.live + length), records);
      at = this.tail;
    }
    this.tail = at + length;
    this.live += length;
    return at;
  }

  private sizeFor(needed: number): number {
    const roomy = 1.5 * needed;
    if (roomy <= this.expected && this.expected <= MAX_EXPECTED_BYTES) return Math.ceil(this.expected / INITIAL_BYTES) * INITIAL_BYTES;
    return Math.ceil(roomy / INITIAL_BYTES) * INITIAL_BYTES;
  }

  /** Where `length` bytes fit between the tail and the oldest live record, if they do. */
  private fit(length: number, oldest: number | undefined): number | undefined {
    const end = this.bytes.length;
    if (this.live === 0 || oldest === undefined) return length <= end ? 0 : undefined;
    if (oldest < this.tail) {
      // Live records lie in [oldest, tail): free space after the tail, else before `oldest`.
      if (this.tail + length <= end) return this.tail;
      return length <= oldest ? 0 : undefined;
    }
    // Wrapped: live records lie in [oldest, end) and [0, tail).
    return this.tail + length <= oldest ? this.tail : undefined;
  }

  /** Copies the live records, oldest first, to the start of a ring of `capacity` bytes; records side by side move in one copy. */
  private rebuild(capacity: number, records: RingRecords): void {
    const old = this.bytes;
    const next = Buffer.allocUnsafe(capacity);
    let tail = 0;
    let runStart = 0;
    let runEnd = 0;
    records.relocate((at, length) => {
      if (at !== runEnd) {
        tail += old.copy(next, tail, runStart, runEnd);
        runStart = at;
        runEnd = at;
      }
      const moved = tail + (runEnd - runStart);
      runEnd += length;
      return moved;
    });
    tail += old.copy(next, tail, runStart, runEnd);
    this.bytes = next;
    this.tail = tail;
  }
}
