/**
 * Hostile frames on the link's topics, against a real Node-RED hosting the session and the
 * installed bridge attached to it: forged (another key), replayed (captured from the real
 * link), stale, unsigned, nested and oversized frames, on the flow's `rpc` topic and on the
 * bridge's reply and `channel` topics. Targets: both ends keep running and answering, and
 * each end counts every frame it refused under its reason.
 */
import { sessionTopics } from "../core/layout.js";
import { encodeFrame, MAX_CLOCK_SKEW_MS, MAX_FRAME_BYTES, type RefusalCounts } from "../session/link/protocol.js";
import { eventually } from "../test/bridge/harness.js";
import { flowStatus, LINK_KEY, SESSION, sessionNode, startFlowBridge, startStack, tab } from "../test/e2e/stack.js";
import type { TestBroker } from "../test/helpers/broker.js";
import type { FlowNode } from "../test/helpers/node-red.js";
import type { Fault, FaultResult, FaultSize } from "./fault.js";

type Kind = "bad-signature" | "replayed" | "stale" | "unsigned" | "nested" | "oversize";
const KINDS: readonly Kind[] = ["bad-signature", "replayed", "stale", "unsigned", "nested", "oversize"];

function flow(prefix: string, broker: TestBroker): FlowNode[] {
  return [tab(), sessionNode("s-home", SESSION, prefix, broker, { admitted: [`${prefix}/meter/#`], linkKey: LINK_KEY })];
}

/** One hostile frame of `kind` for `topic`; `captured` is a real frame seen on that topic. */
function hostile(kind: Kind, topic: string, captured: Buffer): Buffer | string {
  switch (kind) {
    case "bad-signature":
      return encodeFrame("not-the-link-key-0123456789abcdefghij", topic, "call", "forger", { id: "1", tool: "status", args: {} });
    case "replayed":
      return captured;
    case "stale":
      return encodeFrame(LINK_KEY, topic, "call", "late", { id: "1", tool: "status", args: {} }, new Date(Date.now() - 2 * MAX_CLOCK_SKEW_MS));
    case "unsigned":
      return JSON.stringify({ v: 1, type: "call", ts: new Date().toISOString(), nonce: "n".repeat(16), from: "anon", body: { id: "1", tool: "status", args: {} } });
    case "nested":
      return `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    case "oversize":
      return Buffer.alloc(MAX_FRAME_BYTES + 1, 0x20);
  }
}

export const linkFrames: Fault = {
  id: "link-frames",
  title: "forged, replayed, stale, unsigned, nested and oversized link frames",
  async run(size: FaultSize): Promise<FaultResult> {
    const rounds = size === "quick" ? 10 : 100;
    const stack = await startStack(flow);
    try {
      const topics = sessionTopics(stack.prefix, SESSION);
      await stack.peer.subscribe(topics.rpc);
      await stack.peer.subscribe(`${topics.rpc}/+`);
      const bridge = await startFlowBridge(stack);
      const replyTopic = `${topics.rpc}/${(await flowStatus(bridge)).bridgeLink.bridge}`;
      const first = (topic: string): Buffer => stack.peer.received.find((m) => m.topic === topic)!.payload;
      const targets = [
        { name: "flow", topic: topics.rpc, captured: first(topics.rpc) },
        { name: "bridge", topic: replyTopic, captured: first(replyTopic) },
        { name: "bridge", topic: topics.channel, captured: first(replyTopic) },
      ];
      const sent: Record<"flow" | "bridge", Record<Kind, number>> = { flow: zeroes(), bridge: zeroes() };
      for (let round = 0; round < rounds; round++) {
        for (const target of targets) {
          for (const kind of KINDS) {
            // Oversized frames are costly to carry: one per ten rounds is enough to show them refused.
            if (kind === "oversize" && round % 10 !== 0) continue;
            // A frame captured on one topic is signed for that topic only: on another it is a forgery, not a replay.
            if (kind === "replayed" && target.topic === topics.channel) continue;
            await stack.peer.publish(target.topic, hostile(kind, target.topic, target.captured));
            sent[target.name as "flow" | "bridge"][kind]++;
          }
        }
      }
      const refusedBy = async (): Promise<{ flow: RefusalCounts; bridge: RefusalCounts }> => {
        const status = await flowStatus(bridge);
        return { flow: status.link.refused, bridge: status.bridgeLink.refused };
      };
      const counted = (refused: { flow: RefusalCounts; bridge: RefusalCounts }): boolean =>
        KINDS.every((kind) => refused.flow[kind] >= sent.flow[kind] && refused.bridge[kind] >= sent.bridge[kind]);
      await eventually(async () => counted(await refusedBy()), "every hostile frame to be counted", 30_000).catch(() => undefined);
      const refused = await refusedBy();
      const answering = !(await bridge.call("status")).isError && stack.red.running;
      const figures: FaultResult["figures"] = {};
      for (const end of ["flow", "bridge"] as const) {
        for (const kind of KINDS) figures[`${end}.${kind}`] = `${refused[end][kind]} refused of ${sent[end][kind]} sent`;
      }
      return {
        id: this.id,
        title: this.title,
        figures,
        targets: [
          { what: "Node-RED and the bridge keep running and answering", met: answering },
          { what: "each end counts every hostile frame under its reason", met: KINDS.every((k) => refused.flow[k] === sent.flow[k] && refused.bridge[k] === sent.bridge[k]) },
        ],
      };
    } finally {
      await stack.stop();
    }
  },
};

function zeroes(): Record<Kind, number> {
  return { "bad-signature": 0, replayed: 0, stale: 0, unsigned: 0, nested: 0, oversize: 0 };
}
