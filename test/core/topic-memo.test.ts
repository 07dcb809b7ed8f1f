import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { TopicMemo } from "../../core/topic-memo.js";

describe("topic memo", () => {
  test("an answer holds for the version it was stored under", () => {
    const memo = new TopicMemo<string>(4);
    assert.equal(memo.get("a", 1), undefined);
    memo.set("a", "A");
    assert.equal(memo.get("a", 1), "A");
    assert.equal(memo.get("a", 2), undefined);
    assert.equal(memo.get("a", 1), undefined);
  });

  test("topics in use stay while those not asked for go, within two generations of the capacity", () => {
    const memo = new TopicMemo<number>(2);
    memo.get("x", 0);
    memo.set("a", 1);
    memo.set("b", 2);
    memo.set("c", 3); // a and b become the previous generation
    assert.equal(memo.get("a", 0), 1); // moves to the current one, beside c
    memo.set("d", 4); // c and a become the previous generation; b is gone
    assert.equal(memo.get("b", 0), undefined);
    assert.equal(memo.get("a", 0), 1);
    assert.equal(memo.get("c", 0), 3);
    assert.equal(memo.get("d", 0), 4);
  });

  test("the capacity is a positive whole number", () => {
    assert.throws(() => new TopicMemo(0), RangeError);
    assert.throws(() => new TopicMemo(1.5), RangeError);
  });
});
