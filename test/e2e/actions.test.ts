/**
 * End to end: Claude's actions through a real Node-RED. The bridge (flow mode, as Claude
 * Code runs it) publishes to a topic a claude-action node routes; the flow carries the
 * command out (a function standing in for a Home Assistant action) and answers, and the
 * answer is the tool result. Nothing reaches the broker on those topics, and the owner's
 * publish permissions hold before the flow sees anything.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TestBroker } from "../helpers/broker.js";
import type { FlowNode } from "../helpers/node-red.js";
import { actionNode, functionNode, LINK_KEY, refused, SESSION, sessionNode, startFlowBridge, startStack, tab, type Stack } from "./stack.js";

const commands = (prefix: string): string => `${prefix}/home/commands`;

function flow(prefix: string, broker: TestBroker): FlowNode[] {
  return [
    tab(),
    sessionNode("s-home", SESSION, prefix, broker, {
      publishAllow: [`${commands(prefix)}/#`, `${prefix}/sessions/+/inbox`],
      publishDeny: [`${commands(prefix)}/lock/#`],
      linkKey: LINK_KEY,
    }),
    actionNode("a-home", "s-home", `${commands(prefix)}/#`, "f-light"),
    // Stands in for a Home Assistant action node: carries the command out, says what happened.
    functionNode("f-light", 'msg.payload = "light.living_room is " + msg.payload.state; return msg;', "a-home"),
  ];
}

let stack: Stack;

before(async () => {
  stack = await startStack(flow);
});
after(async () => {
  await stack?.stop();
});

describe("e2e: claude-action", () => {
  test("a publish by Claude goes through the flow, and the flow's answer is the tool result; nothing reaches the broker", async () => {
    const bridge = await startFlowBridge(stack);
    await stack.peer.subscribe(`${commands(stack.prefix)}/#`);
    const text = await bridge.ok("publish", { topic: `${commands(stack.prefix)}/light`, text: JSON.stringify({ state: "on" }), raw: true });
    assert.equal(text, `The flow handling ${commands(stack.prefix)}/light answered: light.living_room is on`);

    assert.match(await refused(bridge, "publish", { topic: `${commands(stack.prefix)}/lock/front`, text: "{}" }), /publishDeny/);
    assert.match(await refused(bridge, "publish", { topic: `${stack.prefix}/garage/open`, text: "{}" }), /publishAllow/);
    // A publish on the broker after the others: when it is back, they would have been too.
    await bridge.ok("publish", { topic: `${stack.prefix}/sessions/nobody/inbox`, text: "marker" });
    await stack.peer.subscribe(`${stack.prefix}/sessions/nobody/inbox`);
    await bridge.ok("publish", { topic: `${stack.prefix}/sessions/nobody/inbox`, text: "marker 2" });
    await stack.peer.next((m) => m.topic === `${stack.prefix}/sessions/nobody/inbox`, "the marker");
    assert.deepEqual(stack.peer.received.filter((m) => m.topic.startsWith(commands(stack.prefix))), []);

    const status = JSON.parse(await bridge.ok("status")) as { actions: { answered: number }; counts: { refused: Record<string, number> } };
    assert.equal(status.actions.answered, 1);
    assert.deepEqual(status.counts.refused, { denied: 1, "not-allowed": 1, "outside-reply-space": 0 });
  });
});
