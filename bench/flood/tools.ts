/** The tools the flood calls on the bridge while it floods, each call timed. */
import type { RunningBridge } from "../lib/bridge.js";
import { sleep } from "../lib/mqtt.js";

const TOOL_EVERY_MS = 500;

export interface FloodStatus {
  counts?: { watched?: number };
  evicted?: { perTopic?: number; age?: number; bytes?: number };
  bufferBytes?: number;
  bufferMaxBytes?: number;
}

export interface ToolTimes {
  status: number[];
  inbox: number[];
  failures: string[];
}

export async function status(bridge: RunningBridge): Promise<{ status: FloodStatus; ms: number }> {
  const { text, ms } = await bridge.tool("status");
  return { status: JSON.parse(text) as FloodStatus, ms };
}

/** Calls status and inbox (one topic) alternately, one call every 0.5 s, until `until()`; records each latency. */
export async function callTools(bridge: RunningBridge, topic: string, until: () => boolean): Promise<ToolTimes> {
  const times: ToolTimes = { status: [], inbox: [], failures: [] };
  let turn = 0;
  while (!until()) {
    const started = Date.now();
    try {
      if (turn++ % 2 === 0) times.status.push((await status(bridge)).ms);
      else times.inbox.push((await bridge.tool("inbox", { topic, limit: 5 })).ms);
    } catch (err) {
      times.failures.push((err as Error).message.slice(0, 200));
    }
    await sleep(Math.max(0, TOOL_EVERY_MS - (Date.now() - started)));
  }
  return times;
}
