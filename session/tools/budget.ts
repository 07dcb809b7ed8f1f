/**
 * The size budget of a tool's answer. A session may watch 10,000 topics, but an answer
 * of hundreds of kilobytes costs Claude's context and tells it little: a listing shows
 * what fits in TOOL_OUTPUT_BUDGET_BYTES and ends with what it left out and how to get
 * it (a narrower pattern, another tool). A single message is never cut: it is bounded
 * by the payload limit, and cutting it would lose what nothing else can show.
 */
export const TOOL_OUTPUT_BUDGET_BYTES = 8192;
/** Lists in the `status` answer longer than this are shown as a count and their first entries. */
export const STATUS_LIST_ITEMS = 20;

/** Room kept for the closing line that says what was left out. */
const NOTE_ROOM = 300;

/**
 * `header`, then as many `lines` as fit (always the first), then `omitted(n)` when
 * n lines were left out, or when `leftOutBefore` items never made it into `lines`.
 */
export function fitLines(
  header: string,
  lines: readonly string[],
  omitted: (count: number) => string,
  budget = TOOL_OUTPUT_BUDGET_BYTES,
  leftOutBefore = 0,
): string {
  const out = [header];
  let bytes = Buffer.byteLength(header);
  let shown = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (shown > 0 && bytes + size > budget - NOTE_ROOM) break;
    out.push(line);
    bytes += size;
    shown++;
  }
  if (shown < lines.length || leftOutBefore > 0) out.push(omitted(lines.length - shown));
  return out.join("\n");
}

export interface ShortenedList<T> {
  count: number;
  first: T[];
  more: string;
}

/**
 * The status snapshot with each list longer than STATUS_LIST_ITEMS (patterns,
 * subscriptions, problems; nested ones too) shown as its count and first entries, and
 * the buffer's per-topic counts as its busiest topics.
 */
export function summariseStatus(status: Record<string, unknown>): Record<string, unknown> {
  const out = shortenLists(status);
  const buffer = status.buffer;
  if (isRecord(buffer)) {
    const topics = Object.entries(buffer as Record<string, number>).sort((a, b) => b[1] - a[1]);
    if (topics.length > STATUS_LIST_ITEMS) {
      out.buffer = Object.fromEntries(topics.slice(0, STATUS_LIST_ITEMS));
      out.bufferNote = `the ${STATUS_LIST_ITEMS} busiest of the topics listed; bufferTopics counts them all, and inbox (no topic) lists them`;
    }
  }
  return out;
}

/** `record` with each list longer than STATUS_LIST_ITEMS, at any of the first few levels, shown as its count and first entries. */
export function shortenLists(record: Record<string, unknown>): Record<string, unknown> {
  return shorten(record, 0) as Record<string, unknown>;
}

function shorten(value: unknown, depth: number): unknown {
  if (Array.isArray(value)) {
    if (value.length <= STATUS_LIST_ITEMS) return value;
    const shortened: ShortenedList<unknown> = {
      count: value.length,
      first: value.slice(0, STATUS_LIST_ITEMS),
      more: `${value.length - STATUS_LIST_ITEMS} more not shown (status lists the first ${STATUS_LIST_ITEMS})`,
    };
    return shortened;
  }
  if (!isRecord(value) || depth > 3) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shorten(inner, depth + 1)]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
