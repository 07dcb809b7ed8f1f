/**
 * A signed `call` frame captured on the session's `rpc` topic (the bridge's `publish` tool)
 * and sent again after a full deploy, and again after a Node-RED restart, both well inside
 * the link's 60 s clock window. Targets: the flow publishes once (the original call), each
 * replay is refused and counted as `other-epoch`, and the bridge goes on working.
 */
import { sessionTopics } from "../core/layout.js";
import { eventually } from "../test/bridge/harness.js";
import { attached, flowStatus, LINK_KEY, SESSION, sessionNode, startFlowBridge, startStack, tab } from "../test/e2e/stack.js";
import type { TestBroker } from "../test/helpers/broker.js";
import type { FlowNode } from "../test/helpers/node-red.js";
import { sleep, type Fault, type FaultResult } from "./fault.js";

function flow(prefix: string, broker: TestBroker): FlowNode[] {
  return [tab(), sessionNode("s-home", SESSION, prefix, broker, { admitted: [`${prefix}/meter/#`], linkKey: LINK_KEY })];
}

/** How long a replay is given to be (wrongly) run before the publishes are counted. */
const SETTLE_MS = 1500;

export const linkReplay: Fault = {
  id: "link-replay",
  title: "a captured tool call replayed after a deploy and after a Node-RED restart",
  async run(): Promise<FaultResult> {
    const stack = await startStack(flow);
    try {
      const topics = sessionTopics(stack.prefix, SESSION);
      const target = `${stack.prefix}/garage/door`;
      await stack.peer.subscribe(topics.rpc);
      await stack.peer.subscribe(target);
      const bridge = await startFlowBridge(stack);
      const published = await bridge.call("publish", { topic: target, text: "open" });
      if (published.isError) throw new Error(`the publish to replay failed: ${published.text}`);
      const capturedAt = Date.now();
      const call = stack.peer.received.find((m) => m.topic === topics.rpc && JSON.parse(m.payload.toString()).type === "call");
      if (!call) throw new Error("no call frame was seen on the rpc topic");
      const publishes = (): number => stack.peer.received.filter((m) => m.topic === target).length;
      await eventually(() => publishes() === 1, "the original publish to arrive", 10_000);

      const replays: Array<{ after: string; refused: number }> = [];
      const replayInto = async (after: string): Promise<void> => {
        stack.epoch = await stack.status.online(stack.epoch);
        await attached(bridge, stack.epoch);
        await stack.peer.publish(topics.rpc, call.payload);
        let refused = 0;
        await eventually(
          async () => (refused = (await flowStatus(bridge)).link.refused["other-epoch"]) > 0,
          `the replay after ${after} to be refused`,
          10_000,
        ).catch(() => undefined);
        replays.push({ after, refused });
        await sleep(SETTLE_MS);
      };
      await stack.red.deploy(flow(stack.prefix, stack.broker));
      await replayInto("a full deploy");
      await stack.red.restart();
      await replayInto("a Node-RED restart");
      const secondsAfterCapture = Math.round((Date.now() - capturedAt) / 1000);
      const stillWorks = !(await bridge.call("publish", { topic: target, text: "closed" })).isError;
      await eventually(() => publishes() >= 2, "the publish after the replays", 10_000).catch(() => undefined);
      const replaysRun = publishes() - (stillWorks ? 2 : 1);
      return {
        id: this.id,
        title: this.title,
        figures: {
          replays: replays.length,
          replaysRun,
          secondsAfterCapture,
          ...Object.fromEntries(replays.map((r) => [`refused after ${r.after}`, r.refused])),
        },
        targets: [
          { what: "no replayed call is run (the flow publishes only what the bridge asked for)", met: replaysRun === 0 },
          { what: "each replay is refused and counted as other-epoch", met: replays.length === 2 && replays.every((r) => r.refused >= 1) },
          { what: "the replays are inside the link's 60 s clock window (so only the epoch stops them)", met: secondsAfterCapture < 60 },
          { what: "the bridge goes on working through the new session", met: stillWorks },
        ],
      };
    } finally {
      await stack.stop();
    }
  },
};
