/**
 * One latency run: paced messages from one publisher, each timed to every
 * receiver that sees it. Receivers call `seen(receiver, seq)`; the run knows when
 * each message was published.
 */
import type { MqttClient } from "mqtt";
import { percentile } from "../lib/stats.js";
import { sleep } from "../lib/mqtt.js";

export interface LatencyStats {
  received: number;
  missing: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyRun {
  private readonly sentAt: Float64Array;
  private readonly arrivals = new Map<string, Float64Array>();

  constructor(
    readonly count: number,
    receivers: readonly string[],
  ) {
    this.sentAt = new Float64Array(count).fill(Number.NaN);
    for (const r of receivers) this.arrivals.set(r, new Float64Array(count).fill(Number.NaN));
  }

  /** The text a message carries, from which receivers read its number. */
  static content(seq: number): string {
    return `latency probe ${seq}`;
  }

  static seqOf(content: string): number | undefined {
    const match = /^latency probe (\d+)$/.exec(content);
    return match ? Number(match[1]) : undefined;
  }

  seen(receiver: string, seq: number): void {
    const arrivals = this.arrivals.get(receiver);
    if (arrivals && seq < this.count && Number.isNaN(arrivals[seq]!)) arrivals[seq] = performance.now();
  }

  /** Publishes `count` envelopes to `topic`, one every `intervalMs`, then waits `settleMs` for stragglers. */
  async publish(client: MqttClient, topic: string, qos: 0 | 1, intervalMs: number, settleMs: number): Promise<void> {
    for (let seq = 0; seq < this.count; seq++) {
      const payload = JSON.stringify({ sender: "bench-publisher", ts: new Date().toISOString(), content: LatencyRun.content(seq) });
      this.sentAt[seq] = performance.now();
      client.publish(topic, payload, { qos });
      await sleep(intervalMs);
    }
    const deadline = Date.now() + settleMs;
    while (Date.now() < deadline && !this.complete()) await sleep(20);
  }

  private complete(): boolean {
    for (const arrivals of this.arrivals.values()) if (arrivals.some((t) => Number.isNaN(t))) return false;
    return true;
  }

  stats(receiver: string): LatencyStats {
    const arrivals = this.arrivals.get(receiver)!;
    const latencies: number[] = [];
    for (let seq = 0; seq < this.count; seq++) {
      const latency = arrivals[seq]! - this.sentAt[seq]!;
      if (!Number.isNaN(latency)) latencies.push(latency);
    }
    return {
      received: latencies.length,
      missing: this.count - latencies.length,
      p50Ms: percentile(latencies, 50),
      p90Ms: percentile(latencies, 90),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.length ? Math.max(...latencies) : Number.NaN,
    };
  }
}
