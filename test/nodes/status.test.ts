import { describe, test, mock } from "node:test";
import assert from "node:assert/strict";
import type { NodeStatus } from "node-red";
import { shortText, StatusThrottle, viewStatus, viewStatusWith } from "../../nodes/shared/status.js";

describe("node status", () => {
  test("connection states look like the core MQTT nodes'; other text carries the state in words", () => {
    assert.deepEqual(viewStatus({ state: "connected" }), { fill: "green", shape: "dot", text: "node-red:common.status.connected" });
    assert.deepEqual(viewStatus({ state: "reconnecting" }), { fill: "yellow", shape: "ring", text: "node-red:common.status.connecting" });
    assert.deepEqual(viewStatus({ state: "stopped" }), { fill: "red", shape: "ring", text: "node-red:common.status.disconnected" });
    assert.deepEqual(viewStatus({ state: "invalid", problem: "broker: empty" }), { fill: "red", shape: "dot", text: "broker: empty" });
    assert.deepEqual(viewStatusWith({ state: "disconnected" }, "▲1 ◆0 ✕0"), { fill: "red", shape: "ring", text: "▲1 ◆0 ✕0 (disconnected)" });
    assert.equal(shortText(`${"x".repeat(100)}\nmore`).length, 60);
  });

  test("the throttle shows the first change at once and coalesces the rest into one per interval", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const shown: NodeStatus[] = [];
      let n = 0;
      const throttle = new StatusThrottle({ status: (s: string | NodeStatus) => shown.push(s as NodeStatus) }, () => ({ text: String(++n) }), 500);
      throttle.update();
      throttle.update();
      throttle.update();
      assert.deepEqual(shown, [{ text: "1" }]);
      mock.timers.tick(500);
      assert.deepEqual(shown, [{ text: "1" }, { text: "2" }]);
      mock.timers.tick(500);
      assert.equal(shown.length, 2, "nothing new, nothing shown");
      throttle.update();
      throttle.close();
      throttle.update();
      assert.deepEqual(shown.map((s) => s.text), ["1", "2", "3", "4"], "after close, updates show at once");
      mock.timers.tick(1000);
      assert.equal(shown.length, 4);
    } finally {
      mock.timers.reset();
    }
  });
});
