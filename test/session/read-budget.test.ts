import { test } from "node:test";
import assert from "node:assert/strict";
import { ReadBudget } from "../../session/read-budget.js";

function fakeStream(): { pause(): void; resume(): void; calls: string[] } {
  const calls: string[] = [];
  return { calls, pause: () => calls.push("pause"), resume: () => calls.push("resume") };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("a turn that spends its budget on messages pauses the stream once, and the next turn resumes it", async () => {
  let clock = 0;
  const budget = new ReadBudget(10, () => clock);
  const stream = fakeStream();
  for (let i = 0; i < 1000; i++) {
    budget.spend(stream);
    clock += 0.05;
  }
  assert.deepEqual(stream.calls, ["pause"]);
  await nextTurn();
  assert.deepEqual(stream.calls, ["pause", "resume"]);
  budget.spend(stream);
  await nextTurn();
  assert.deepEqual(stream.calls, ["pause", "resume"], "a short turn neither pauses nor resumes");
});

test("messages within the budget never pause the stream", async () => {
  let clock = 0;
  const budget = new ReadBudget(10, () => clock);
  const stream = fakeStream();
  for (let turn = 0; turn < 5; turn++) {
    for (let i = 0; i < 100; i++) {
      budget.spend(stream);
      clock += 0.01;
    }
    await nextTurn();
  }
  assert.deepEqual(stream.calls, []);
});
