import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../core/json-depth.js";

const nested = (depth: number, open = "[", close = "]"): string => `${open.repeat(depth)}${close.repeat(depth)}`;

describe("JSON nesting depth", () => {
  test("exactly the limit passes, one more level does not", () => {
    assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH)), false);
    assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1)), true);
  });

  test("objects and arrays count alike, mixed", () => {
    const mixed = `${'{"a":['.repeat(40)}1${"]}".repeat(40)}`;
    assert.equal(nestsDeeperThan(mixed, 79), true);
    assert.equal(nestsDeeperThan(mixed, 80), false);
  });

  test("brackets in strings, escaped quotes included, do not count", () => {
    const inString = JSON.stringify({ text: `\\"${"[".repeat(500)}` });
    assert.equal(nestsDeeperThan(inString, 2), false);
  });

  test("a million levels are measured without recursion", () => {
    assert.equal(nestsDeeperThan(nested(1_000_000)), true);
  });

  test("sibling containers do not add up", () => {
    const wide = `[${Array.from({ length: 5000 }, () => "[[1]]").join(",")}]`;
    assert.equal(nestsDeeperThan(wide, 3), false);
  });
});
