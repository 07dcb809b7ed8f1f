/** The throttle of node statuses and the sidebar's snapshots, on Node's fake clock. */
import { afterEach, beforeEach, describe, mock, test } from "node:test";
import assert from "node:assert/strict";
import { Throttle } from "../../nodes/shared/throttle.js";

beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 }));
afterEach(() => mock.timers.reset());

describe("the throttle", () => {
  test("a burst of requests runs the task once, on the next turn", () => {
    let runs = 0;
    const throttle = new Throttle(() => runs++, 500);
    for (let i = 0; i < 10; i++) throttle.request();
    assert.equal(runs, 0);
    mock.timers.tick(0);
    assert.equal(runs, 1);
  });

  test("a request soon after a run waits out the interval, then runs once", () => {
    let runs = 0;
    const throttle = new Throttle(() => runs++, 500);
    throttle.request();
    mock.timers.tick(0);
    mock.timers.tick(100);
    throttle.request();
    throttle.request();
    mock.timers.tick(399);
    assert.equal(runs, 1);
    mock.timers.tick(1);
    assert.equal(runs, 2);
  });

  test("a request after a quiet interval runs on the next turn; close drops a pending run, and later requests run at once", () => {
    let runs = 0;
    const throttle = new Throttle(() => runs++, 500);
    throttle.request();
    mock.timers.tick(0);
    mock.timers.tick(2000);
    throttle.request();
    mock.timers.tick(0);
    assert.equal(runs, 2);
    throttle.request();
    throttle.close();
    mock.timers.tick(10_000);
    assert.equal(runs, 2);
    throttle.request();
    throttle.request();
    assert.equal(runs, 4, "after close, each request runs at once");
    mock.timers.tick(10_000);
    assert.equal(runs, 4);
  });
});
