import { test } from "node:test";
import assert from "node:assert/strict";
import { TurnBudget } from "../../session/turn-budget.js";

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("past its budget a turn leaves the rest of a backlog to later turns, in order", async () => {
  let clock = 0;
  const handled: number[] = [];
  const budget = new TurnBudget<[number]>((n) => {
    handled.push(n);
    clock += 0.1;
  }, 10, 100_000, () => clock);
  for (let n = 0; n < 1000; n++) budget.offer(n);
  const firstTurn = handled.length;
  assert.ok(firstTurn > 0 && firstTurn < 1000, `the first turn handled ${firstTurn}`);
  assert.equal(budget.backlog, 1000 - firstTurn);
  let turns = 1;
  while (budget.backlog > 0) {
    await nextTurn();
    turns++;
  }
  assert.ok(turns > 2, "the backlog took several turns");
  assert.deepEqual(handled, Array.from({ length: 1000 }, (_, n) => n));
});

test("messages within the budget are handled as they come", async () => {
  let clock = 0;
  const handled: number[] = [];
  const budget = new TurnBudget<[number]>((n) => handled.push(n), 10, 100_000, () => clock);
  for (let turn = 0; turn < 3; turn++) {
    for (let n = 0; n < 100; n++) {
      budget.offer(turn * 100 + n);
      clock += 0.01;
    }
    assert.equal(handled.length, (turn + 1) * 100);
    await nextTurn();
  }
});

test("past the most that may wait, what waits is handled at once, still in order", () => {
  let clock = 0;
  const handled: number[] = [];
  const budget = new TurnBudget<[number]>((n) => {
    handled.push(n);
    clock += 1;
  }, 10, 50, () => clock);
  for (let n = 0; n < 500; n++) budget.offer(n);
  assert.ok(budget.backlog <= 50);
  assert.deepEqual(handled, Array.from({ length: handled.length }, (_, n) => n));
});

test("flush handles what waits at once, in order", () => {
  let clock = 0;
  const handled: number[] = [];
  const budget = new TurnBudget<[number]>((n) => {
    handled.push(n);
    clock += 1;
  }, 10, 1000, () => clock);
  for (let n = 0; n < 200; n++) budget.offer(n);
  assert.ok(budget.backlog > 0);
  budget.flush();
  assert.equal(budget.backlog, 0);
  assert.deepEqual(handled, Array.from({ length: 200 }, (_, n) => n));
});
