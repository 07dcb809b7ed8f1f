import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { shortText, viewStatus, viewStatusWith } from "../../nodes/shared/status.js";

describe("node status", () => {
  test("connection states look like the core MQTT nodes'; other text carries the state in words", () => {
    assert.deepEqual(viewStatus({ state: "connected" }), { fill: "green", shape: "dot", text: "node-red:common.status.connected" });
    assert.deepEqual(viewStatus({ state: "reconnecting" }), { fill: "yellow", shape: "ring", text: "node-red:common.status.connecting" });
    assert.deepEqual(viewStatus({ state: "stopped" }), { fill: "red", shape: "ring", text: "node-red:common.status.disconnected" });
    assert.deepEqual(viewStatus({ state: "invalid", problem: "broker: empty" }), { fill: "red", shape: "dot", text: "broker: empty" });
    assert.deepEqual(viewStatusWith({ state: "disconnected" }, "▲1 ◆0 ✕0", (key) => (key === "node-red:common.status.disconnected" ? "disconnected" : key)), { fill: "red", shape: "ring", text: "▲1 ◆0 ✕0 (disconnected)" });
    assert.equal(shortText(`${"x".repeat(100)}\nmore`).length, 60);
  });
});
