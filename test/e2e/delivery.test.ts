/**
 * End to end: the bridge is killed (`kill -9`) while the flow keeps admitting messages,
 * and a new bridge takes over. Delivery is at least once: every message reaches Claude,
 * in order; only those the dead bridge delivered but had not acknowledged come twice.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestBroker } from "../helpers/broker.js";
import type { FlowNode } from "../helpers/node-red.js";
import { eventually, type BridgeClient } from "../bridge/harness.js";
import type { ChannelNotification } from "../../session/notification.js";
import { flowStatus, gateNode, injectNode, LINK_KEY, SESSION, sessionNode, startFlowBridge, startStack, tab, type Stack } from "./stack.js";

const TOPIC = "meter/pulses";
/** Well inside the flow's outbox (1,000): within bounds nothing may be lost. */
const MAX_MESSAGES = 800;
/** Messages sent once the new bridge delivers, so some surely arrive live rather than replayed. */
const AFTER_TAKEOVER = 20;

function flow(prefix: string, broker: TestBroker): FlowNode[] {
  return [
    tab(),
    // Every pulse is to arrive as a notification of its own: no coalescing, no cap.
    sessionNode("s-home", SESSION, prefix, broker, { admitted: ["meter/#"], linkKey: LINK_KEY, coalesceInterval: 0, notifyPerMinute: 0 }),
    injectNode("i-pulse", "g-home", { topic: TOPIC, payload: "pulse 0" }),
    gateNode("g-home", "s-home", "lists"),
  ];
}

let stack: Stack;

before(async () => {
  stack = await startStack(flow);
});
after(async () => {
  await stack?.stop();
});

/** The pulse numbers a bridge delivered, in delivery order. */
function pulses(notifications: ChannelNotification[]): number[] {
  return notifications.filter((n) => n.meta.topic === TOPIC).map((n) => Number(/^pulse (\d+)$/.exec(n.content)?.[1] ?? Number.NaN));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

test("a bridge killed and restarted while messages flow: every message arrives, in order, repeats only of the unacknowledged tail", async () => {
  const first = await startFlowBridge(stack);
  const send = (n: number): Promise<void> => stack.red.inject("i-pulse", [
    { p: "topic", v: TOPIC, vt: "str" },
    { p: "payload", v: `pulse ${n}`, vt: "str" },
  ]);

  // Pulse 1 is delivered and acknowledged: the flow's outbox is empty again.
  await send(1);
  await first.nextNotification((n) => n.content === "pulse 1");
  await eventually(async () => (await flowStatus(first)).link.outbox === 0, "the flow to drop pulse 1 from its outbox once acknowledged");

  let sent = 1;
  let second: BridgeClient | undefined;
  let takeoverAt: number | undefined;
  const flowing = (async () => {
    while (takeoverAt === undefined || sent < takeoverAt + AFTER_TAKEOVER) {
      assert.ok(sent < MAX_MESSAGES, `the new bridge delivered nothing within ${MAX_MESSAGES} messages`);
      await send(++sent);
      if (takeoverAt === undefined && second !== undefined && pulses(second.notifications).length > 0) takeoverAt = sent;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  await first.nextNotification((n) => n.content === "pulse 10");
  process.kill(first.pid, "SIGKILL");
  await first.close().catch(() => undefined);
  const before = pulses(first.notifications);
  second = await startFlowBridge(stack);
  await flowing;
  await second.nextNotification((n) => n.content === `pulse ${sent}`, 0, 30_000);

  const after = pulses(second.notifications);
  assert.deepEqual(before, range(1, before.length), "the first bridge delivered pulses in order from 1");
  const resumed = after[0]!;
  assert.deepEqual(after, range(resumed, sent), "the new bridge delivered every later pulse, in order, each once");
  assert.ok(resumed > 1, "acknowledged pulse 1 is not delivered again");
  assert.ok(resumed <= before.length + 1, `no gap between the bridges: the first stopped at ${before.length}, the second began at ${resumed}`);
  assert.ok(sent > before.length + AFTER_TAKEOVER, "messages kept flowing while the bridge was down and after");
});

test("messages admitted while Claude is away wait in the flow's outbox and arrive, in order, when a bridge connects", async () => {
  for (const bridge of stack.bridges.splice(0)) await bridge.close().catch(() => undefined);
  const away = range(1, 30);
  for (const n of away) {
    await stack.red.inject("i-pulse", [
      { p: "topic", v: TOPIC, vt: "str" },
      { p: "payload", v: `away ${n}`, vt: "str" },
    ]);
  }
  const back = await startFlowBridge(stack);
  await back.nextNotification((n) => n.content === "away 30");
  assert.deepEqual(
    back.notifications.filter((n) => n.content.startsWith("away ")).map((n) => n.content),
    away.map((n) => `away ${n}`),
  );
  await eventually(async () => (await flowStatus(back)).link.outbox === 0, "the delivered messages to leave the outbox once acknowledged");
});

test("messages in the outbox survive Node-RED being killed (kill -9) and arrive when it and a bridge are back", async () => {
  for (const bridge of stack.bridges.splice(0)) await bridge.close().catch(() => undefined);
  const held = range(1, 10).map((n) => `held ${n}`);
  for (const text of held) {
    await stack.red.inject("i-pulse", [
      { p: "topic", v: TOPIC, vt: "str" },
      { p: "payload", v: text, vt: "str" },
    ]);
  }
  // All ten journalled (the injects are handled after their HTTP answer): then the kill.
  const journal = join(stack.red.userDir, "claude-channel", "outbox", `${SESSION}.jsonl`);
  await eventually(() => existsSync(journal) && held.every((text) => readFileSync(journal, "utf8").includes(`"content":"${text}"`)), "the ten messages in the outbox journal");
  await stack.red.kill();
  await stack.red.start();
  stack.epoch = await stack.status.online(stack.epoch);
  const back = await startFlowBridge(stack);
  await back.nextNotification((n) => n.content === "held 10", 0, 30_000);
  assert.deepEqual(back.notifications.filter((n) => n.content.startsWith("held ")).map((n) => n.content), held);
});
