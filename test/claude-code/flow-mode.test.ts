/**
 * Flow mode with the real Claude Code: a real Node-RED runs a claude-session node (with
 * the link key) and a claude-gate; the plugin's bridge, started by Claude Code with
 * SESSION_HOST=flow and the same key in its `.env`, turns what the flow admits into the
 * model's <channel> blocks.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TestBroker } from "../helpers/broker.js";
import type { FlowNode } from "../helpers/node-red.js";
import { gateNode, injectNode, LINK_KEY, SESSION, sessionNode, tab } from "../e2e/stack.js";
import { CHANNEL_SOURCE, claudeCodeMissing } from "./harness.js";
import { flowModeSuite } from "./flow-suite.js";
import { channelAttributes, channelBlocks, lastUserText } from "./model-server.js";

const missing = claudeCodeMissing();

function flow(prefix: string, broker: TestBroker): FlowNode[] {
  return [
    tab(),
    sessionNode("s-home", SESSION, prefix, broker, { admitted: ["garage/#"], linkKey: LINK_KEY }),
    injectNode("i-garage", "g-home", { topic: "garage/door", payload: "the garage door opened" }),
    gateNode("g-home", "s-home", "lists"),
  ];
}

if (missing) test("the real Claude Code in flow mode", { skip: missing }, () => undefined);
else describe("the real Claude Code in flow mode", () => {
  const suite = flowModeSuite(flow);

  test("a message the flow admits reaches the model as a <channel> block, marked as handed over by the flow", async () => {
    // Claude Code listens now; if the bridge has not attached to the flow yet, the flow's outbox holds the event until it does.
    await suite.stack.red.inject("i-garage");
    const request = await suite.cc.showingScreen(suite.model.waitForRequest((r) => channelBlocks(lastUserText(r)).some((b) => b.includes("the garage door opened")), "with the flow's event"));
    const block = channelBlocks(lastUserText(request)).find((b) => b.includes("the garage door opened"))!;
    const attributes = channelAttributes(block);
    assert.deepEqual(attributes.filter(([k]) => k === "source"), [["source", CHANNEL_SOURCE]]);
    const meta = Object.fromEntries(attributes);
    assert.equal(meta.tier, "admitted");
    assert.equal(meta.topic, "garage/door");
    assert.equal(meta.via, "flow");
  });
});
