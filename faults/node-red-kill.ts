/**
 * Node-RED killed (SIGKILL) while its session holds admitted messages no bridge has taken
 * yet, more published while it is down, then Node-RED started again and a bridge attached.
 * Targets: every message reaches Claude (the outbox journal, then the broker's persistent
 * session), in order, none twice.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../test/bridge/harness.js";
import { LINK_KEY, SESSION, sessionNode, startFlowBridge, startStack, tab } from "../test/e2e/stack.js";
import type { TestBroker } from "../test/helpers/broker.js";
import type { FlowNode } from "../test/helpers/node-red.js";
import { pulseNumbers, type Fault, type FaultResult, type FaultSize } from "./fault.js";

function flow(prefix: string, broker: TestBroker): FlowNode[] {
  return [tab(), sessionNode("s-home", SESSION, prefix, broker, { admitted: [`${prefix}/meter/#`], linkKey: LINK_KEY, coalesceInterval: 0, notifyPerMinute: 0 })];
}

export const nodeRedKilled: Fault = {
  id: "node-red-kill",
  title: "Node-RED kill -9 with messages in the outbox",
  async run(size: FaultSize): Promise<FaultResult> {
    // Both well inside the outbox's 1,000.
    const held = size === "quick" ? 50 : 500;
    const whileDown = size === "quick" ? 20 : 200;
    const stack = await startStack(flow);
    try {
      const topic = `${stack.prefix}/meter/pulses`;
      for (let n = 1; n <= held; n++) await stack.peer.publish(topic, `pulse ${n}`);
      const journal = join(stack.red.userDir, "claude-channel", "outbox", `${SESSION}.jsonl`);
      const journalled = (): boolean => existsSync(journal) && readFileSync(journal, "utf8").includes(`"content":"pulse ${held}"`);
      await eventually(journalled, `pulse ${held} in the outbox journal`, 30_000);
      await stack.red.kill();
      for (let n = held + 1; n <= held + whileDown; n++) await stack.peer.publish(topic, `pulse ${n}`);
      await stack.red.start();
      stack.epoch = await stack.status.online(stack.epoch);
      const bridge = await startFlowBridge(stack);
      const total = held + whileDown;
      const pulses = (): number[] => pulseNumbers(bridge.notifications);
      await eventually(() => new Set(pulses()).size >= total, `all ${total} pulses to reach Claude`, 60_000).catch(() => undefined);
      const delivered = pulses();
      const unique = new Set(delivered).size;
      const inOrder = delivered.every((n, i) => i === 0 || n > delivered[i - 1]!);
      return {
        id: this.id,
        title: this.title,
        figures: { heldInOutbox: held, sentWhileDown: whileDown, delivered: delivered.length, lost: total - unique, duplicates: delivered.length - unique },
        targets: [
          { what: "0 messages lost (outbox journal and broker session)", met: unique === total },
          { what: "0 duplicates delivered to Claude", met: delivered.length === unique },
          { what: "delivered in order", met: inOrder },
        ],
      };
    } finally {
      await stack.stop();
    }
  },
};
