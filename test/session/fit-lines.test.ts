import { test } from "node:test";
import assert from "node:assert/strict";
import { fitLines } from "../../session/tools/budget.js";

const omitted = (left: number): string => `… ${left} left out`;

test("fitLines keeps the lines that fit the budget and says how many it left out", () => {
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${"x".repeat(90)}`);
  const text = fitLines("header", lines, omitted, 2000);
  const shown = text.split("\n").filter((line) => line.startsWith("line ")).length;
  assert.ok(shown > 0 && shown < 100);
  assert.ok(text.endsWith(`… ${100 - shown} left out`));
  assert.ok(Buffer.byteLength(text) <= 2000);
});

test("fitLines says what was left out before its lines, even when all of them fit", () => {
  assert.equal(fitLines("header", ["a", "b"], omitted, 2000), "header\na\nb");
  assert.equal(fitLines("header", ["a", "b"], omitted, 2000, 3), "header\na\nb\n… 0 left out");
});
