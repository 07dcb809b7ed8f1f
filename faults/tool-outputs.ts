/**
 * Tool answers with 10,000 watched topics: each answer within its size budget, saying what
 * it left out and how to get it, and reading the buffer page by page with `clear` loses
 * nothing.
 */
import { TOOL_OUTPUT_BUDGET_BYTES } from "../session/tools/budget.js";
import { eventually, Peer, startBridge, writeStateFile } from "../test/bridge/harness.js";
import { startBroker } from "../test/helpers/broker.js";
import { tempDir, uniquePrefix } from "../test/helpers/session.js";
import type { Fault, FaultResult } from "./fault.js";

const TOPICS = 10_000;

export const toolOutputs: Fault = {
  id: "tool-outputs",
  title: "tool answers with 10,000 watched topics",
  async run(): Promise<FaultResult> {
    const broker = await startBroker();
    const prefix = uniquePrefix();
    const stateDir = tempDir("claude-fault-state-");
    writeStateFile(stateDir, "sessions/alpha.json", JSON.stringify({ watched: [`${prefix}/flood/#`] }));
    const peer = await Peer.connect(broker.url);
    const bridge = await startBridge({ brokerUrl: broker.url, prefix, stateDir });
    try {
      for (let at = 0; at < TOPICS; at += 500) {
        await Promise.all(Array.from({ length: 500 }, (_, i) => peer.client.publishAsync(`${prefix}/flood/${at + i}`, `reading ${at + i}`, { qos: 0 })));
      }
      await eventually(async () => (await bridge.status()).counts.watched >= TOPICS, `all ${TOPICS} messages to be watched`, 60_000).catch(() => undefined);
      const watched = (await bridge.status()).counts.watched;
      const answers: Record<string, string> = {
        status: await bridge.ok("status"),
        inbox: await bridge.ok("inbox"),
        "inbox (pattern)": await bridge.ok("inbox", { topic: `${prefix}/flood/#`, limit: 1000 }),
        topics: await bridge.ok("topics", { limit: 200 }),
        sessions: await bridge.ok("sessions"),
        config: await bridge.ok("config"),
      };
      // Page through the buffer: each page clears only what it showed.
      const seen = new Set<string>();
      let pages = 0;
      for (; pages < 1000; pages++) {
        const page = await bridge.ok("inbox", { topic: `${prefix}/flood/#`, limit: 1000, clear: true });
        if (page.startsWith("No buffered messages")) break;
        for (const line of page.split("\n")) if (line.startsWith("[")) seen.add(line.replace(/^\[[^\]]*\] /, ""));
      }
      const sizes = Object.fromEntries(Object.entries(answers).map(([tool, text]) => [`${tool} answer bytes`, Buffer.byteLength(text)]));
      return {
        id: this.id,
        title: this.title,
        figures: { watched, ...sizes, pages, messagesPagedThrough: seen.size },
        targets: [
          { what: `every answer fits the ${TOOL_OUTPUT_BUDGET_BYTES}-byte budget`, met: Object.values(answers).every((text) => Buffer.byteLength(text) <= TOOL_OUTPUT_BUDGET_BYTES) },
          { what: "status shows long lists as counts and the busiest topics", met: /"bufferNote"/.test(answers.status!) && /"bufferTopics": 10000/.test(answers.status!) },
          { what: "inbox and topics say what they left out and how to get it", met: /more topic\(s\) with \d+ message\(s\) not listed; read them by pattern/.test(answers.inbox!) && /more not shown \(this answer's size budget\)/.test(answers["inbox (pattern)"]!) && /narrow them with pattern/.test(answers.topics!) },
          { what: "paging with clear reads every message once and loses none", met: watched >= TOPICS && seen.size === watched },
        ],
      };
    } finally {
      await bridge.close().catch(() => undefined);
      await peer.end();
      await broker.stop();
    }
  },
};
