/**
 * A bounded memo keyed by topic, for answers that depend only on the topic and on
 * a store that changes rarely (the gate's lists).
 *
 * Rules:
 * - An answer holds for one `version` of what it was computed from: a lookup with
 *   another version forgets every answer first.
 * - At most `2 × capacity` topics are remembered, in two generations: when the
 *   current one is full it becomes the previous one and the oldest is dropped. A
 *   topic found in the previous generation moves to the current one, so topics in
 *   use stay while topics not heard from for a while go. A hit costs one Map
 *   lookup and moves nothing.
 */
export class TopicMemo<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  private version = Number.NaN;

  constructor(private readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`a topic memo holds a positive whole number of topics, not ${capacity}`);
  }

  /** The answer remembered for `topic` under `version`, or undefined. */
  get(topic: string, version: number): V | undefined {
    if (version !== this.version) {
      this.version = version;
      this.current.clear();
      this.previous.clear();
      return undefined;
    }
    const held = this.current.get(topic);
    if (held !== undefined) return held;
    const older = this.previous.get(topic);
    if (older !== undefined) this.set(topic, older);
    return older;
  }

  /** Remembers `answer` for `topic`, under the version of the last `get`. */
  set(topic: string, answer: V): void {
    if (this.current.size >= this.capacity) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(topic, answer);
  }
}
