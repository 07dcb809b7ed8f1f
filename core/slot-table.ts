/**
 * The watched buffer's messages as rows of typed-array columns, so that a flood of tens
 * of thousands is a handful of arrays to the garbage collector instead of an object (and
 * a boxed timestamp) each, every one copied and marked before it is evicted.
 *
 * Rules:
 * - A row is a number from `add`; it stays valid until `free`, after which `add` may
 *   hand the number out again. The caller frees a row only once nothing refers to it.
 * - Fixed-size fields are columns; the strings a message may carry besides its content
 *   (sender, sentAt, correlation_id, reply_to, and a content kept as a string) share one
 *   small object per row that has any, none for a row without.
 * - Columns double when full; freed rows are reused first.
 */

export interface RowStrings {
  readonly sender?: string;
  readonly sentAt?: string;
  readonly correlation_id?: string;
  readonly reply_to?: string;
  /** The content, for one kept as a string rather than in the ring. */
  readonly text?: string;
}

const INITIAL_ROWS = 1024;

export class SlotTable<Owner> {
  private receivedAtColumn = new Float64Array(INITIAL_ROWS);
  private atColumn = new Float64Array(INITIAL_ROWS);
  private lengthColumn = new Float64Array(INITIAL_ROWS);
  private bytesColumn = new Float64Array(INITIAL_ROWS);
  private removedColumn = new Uint8Array(INITIAL_ROWS);
  private ownerColumn: Array<Owner | undefined> = new Array<Owner | undefined>(INITIAL_ROWS).fill(undefined);
  private stringsColumn: Array<RowStrings | undefined> = new Array<RowStrings | undefined>(INITIAL_ROWS).fill(undefined);
  private readonly freed: number[] = [];
  private used = 0;

  /** A new row; `owner` is the caller's record it belongs to (its topic's queue). */
  add(owner: Owner, receivedAt: number, bytes: number, strings: RowStrings | undefined): number {
    const row = this.freed.pop() ?? this.used++;
    if (row >= this.removedColumn.length) this.grow();
    this.receivedAtColumn[row] = receivedAt;
    this.bytesColumn[row] = bytes;
    this.atColumn[row] = 0;
    this.lengthColumn[row] = 0;
    this.removedColumn[row] = 0;
    this.ownerColumn[row] = owner;
    this.stringsColumn[row] = strings;
    return row;
  }

  free(row: number): void {
    this.ownerColumn[row] = undefined;
    this.stringsColumn[row] = undefined;
    this.freed.push(row);
  }

  /** Frees every row at once (and gives back the memory a flood grew). */
  clear(): void {
    this.freed.length = 0;
    this.used = 0;
    if (this.removedColumn.length > INITIAL_ROWS) this.resize(INITIAL_ROWS);
    else {
      this.ownerColumn.fill(undefined);
      this.stringsColumn.fill(undefined);
    }
  }

  receivedAt(row: number): number {
    return this.receivedAtColumn[row]!;
  }

  bytes(row: number): number {
    return this.bytesColumn[row]!;
  }

  /** Where the row's content starts in the ring, and its length there. */
  at(row: number): number {
    return this.atColumn[row]!;
  }

  length(row: number): number {
    return this.lengthColumn[row]!;
  }

  setPlace(row: number, at: number, length: number): void {
    this.atColumn[row] = at;
    this.lengthColumn[row] = length;
  }

  removed(row: number): boolean {
    return this.removedColumn[row] === 1;
  }

  markRemoved(row: number): void {
    this.removedColumn[row] = 1;
  }

  owner(row: number): Owner {
    return this.ownerColumn[row]!;
  }

  strings(row: number): RowStrings | undefined {
    return this.stringsColumn[row];
  }

  private grow(): void {
    this.resize(this.removedColumn.length * 2);
  }

  private resize(rows: number): void {
    const keep = Math.min(rows, this.used);
    const copy = <T extends Float64Array | Uint8Array>(column: T, make: (n: number) => T): T => {
      const next = make(rows);
      next.set(column.subarray(0, keep));
      return next;
    };
    this.receivedAtColumn = copy(this.receivedAtColumn, (n) => new Float64Array(n));
    this.atColumn = copy(this.atColumn, (n) => new Float64Array(n));
    this.lengthColumn = copy(this.lengthColumn, (n) => new Float64Array(n));
    this.bytesColumn = copy(this.bytesColumn, (n) => new Float64Array(n));
    this.removedColumn = copy(this.removedColumn, (n) => new Uint8Array(n));
    const owners = new Array<Owner | undefined>(rows).fill(undefined);
    const strings = new Array<RowStrings | undefined>(rows).fill(undefined);
    for (let row = 0; row < keep; row++) {
      owners[row] = this.ownerColumn[row];
      strings[row] = this.stringsColumn[row];
    }
    this.ownerColumn = owners;
    this.stringsColumn = strings;
  }
}
