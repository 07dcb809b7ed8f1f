import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CrossPathDuplicates, RecentPublishes, RetainedSeen } from "../../session/echo.js";

describe("echo bookkeeping", () => {
  test("a payload we published is recognised once on its topic, not on others", () => {
    const recent = new RecentPublishes();
    recent.remember("lights/kitchen", "ON");
    assert.equal(recent.consume("lights/hall", Buffer.from("ON")), false);
    assert.equal(recent.consume("lights/kitchen", Buffer.from("ON")), true);
    assert.equal(recent.consume("lights/kitchen", Buffer.from("ON")), false);
  });

  test("a publish taken back is not recognised", () => {
    const recent = new RecentPublishes();
    const forget = recent.remember("a", "x");
    forget();
    assert.equal(recent.consume("a", Buffer.from("x")), false);
  });

  test("a retained payload repeated unchanged is a repeat; a changed one is news", () => {
    const seen = new RetainedSeen();
    assert.equal(seen.isRepeat("t", Buffer.from("1")), false);
    assert.equal(seen.isRepeat("t", Buffer.from("1")), true);
    assert.equal(seen.isRepeat("t", Buffer.from("2")), false);
  });

  test("the same message by the other path within the window is a duplicate; by the same path it is not", () => {
    const dup = new CrossPathDuplicates();
    assert.equal(dup.isDuplicate("door", "open", "mqtt", 0), false);
    assert.equal(dup.isDuplicate("door", "open", "mqtt", 10), false, "a repeat on one path is a new event");
    assert.equal(dup.isDuplicate("door", "open", "flow", 20), true);
    assert.equal(dup.isDuplicate("door", "open", "flow", 30), false, "the pair was consumed");
    assert.equal(dup.isDuplicate("door", "open", "mqtt", 5000), false, "outside the window");
    assert.equal(dup.isDuplicate("door", "closed", "flow", 5010), false, "other content");
  });

  test("long contents are told apart as well as short ones", () => {
    const dup = new CrossPathDuplicates();
    const long = "x".repeat(5000);
    assert.equal(dup.isDuplicate("cam", long, "mqtt", 0), false);
    assert.equal(dup.isDuplicate("cam", `${long}y`, "flow", 10), false, "other content");
    assert.equal(dup.isDuplicate("cam", long, "flow", 20), true);
    assert.equal(dup.isDuplicate("cam", "x", "flow", 30), false, "a short content never matches a long one");
  });
});
