import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ByteRing, type RingRecords } from "../../core/byte-ring.js";

/** A seeded generator (mulberry32), so every run takes the same steps. */
function random(seed: number): { next(): number; int(below: number): number; pick<T>(items: readonly T[]): T } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number): number => Math.floor(next() * below);
  return { next, int, pick: (items) => items[int(items.length)]! };
}

interface Held {
  at: number;
  readonly length: number;
  readonly text: string;
}

function records(live: Held[]): RingRecords {
  return { relocate: (move) => live.forEach((r) => (r.at = move(r.at, r.length))) };
}

const WORDS = ["", "a", "°C", "温度", "🌡️", "state", "{\"t\":21.5}", "x".repeat(700)];

function write(ring: ByteRing, live: Held[], text: string): void {
  const record: Held = { at: 0, length: Buffer.byteLength(text, "utf8"), text };
  record.at = ring.writeText(text, record.length, live[0]?.at, records(live));
  live.push(record);
}

describe("byte ring", () => {
  test("every live record reads back as written, through wraps, holes and rebuilds", () => {
    const rng = random(7);
    const ring = new ByteRing();
    const live: Held[] = [];
    for (let step = 0; step < 20_000; step++) {
      const roll = rng.next();
      if (roll < 0.55 || live.length === 0) {
        const parts = rng.int(6);
        let text = "";
        for (let p = 0; p < parts; p++) text += rng.pick(WORDS);
        write(ring, live, text);
      } else {
        // Mostly the oldest goes (eviction), sometimes one from the middle (a per-topic cap, a clear).
        const at = roll < 0.9 ? 0 : rng.int(live.length);
        ring.release(live.splice(at, 1)[0]!.length);
      }
      if (step % 97 === 0) for (const record of live) assert.equal(ring.read(record.at, record.length), record.text);
      const liveBytes = live.reduce((sum, r) => sum + r.length, 0);
      assert.equal(ring.liveBytes, liveBytes);
    }
    for (const record of live) assert.equal(ring.read(record.at, record.length), record.text);
  });

  test("a steady flood reuses the ring instead of growing it", () => {
    const ring = new ByteRing();
    const live: Held[] = [];
    const text = "{\"state\":\"21.5\",\"unit\":\"°C\"}";
    for (let i = 0; i < 200_000; i++) {
      write(ring, live, text);
      if (live.length > 1000) ring.release(live.shift()!.length);
    }
    const liveBytes = live.length * Buffer.byteLength(text);
    assert.ok(ring.capacity <= 4 * liveBytes, `capacity ${ring.capacity} for ${liveBytes} live bytes`);
    for (const record of live) assert.equal(ring.read(record.at, record.length), text);
  });

  test("clearing gives back the memory a flood grew", () => {
    const ring = new ByteRing();
    const live: Held[] = [];
    for (let i = 0; i < 2000; i++) write(ring, live, "y".repeat(500));
    const grown = ring.capacity;
    ring.clear();
    live.length = 0;
    assert.ok(ring.capacity < grown);
    write(ring, live, "fresh");
    assert.equal(ring.read(live[0]!.at, live[0]!.length), "fresh");
  });
});
