import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MAX_SESSION_NAME_LENGTH, sanitizeSessionName, validateSessionName } from "../../core/session-name.js";

describe("sanitizeSessionName", () => {
  test("keeps letters, digits, underscore and hyphen unchanged", () => {
    assert.deepEqual(sanitizeSessionName("Kitchen_2-b"), { name: "Kitchen_2-b", changed: false });
  });
  test("removes spaces, slashes, wildcards and dots", () => {
    assert.deepEqual(sanitizeSessionName("a b/c+#.d"), { name: "abcd", changed: true });
  });
  test("removes non-ASCII letters", () => {
    assert.deepEqual(sanitizeSessionName("küche"), { name: "kche", changed: true });
  });
  test("can leave nothing", () => {
    assert.deepEqual(sanitizeSessionName("/ +"), { name: "", changed: true });
  });
  test("an empty name stays empty and unchanged", () => {
    assert.deepEqual(sanitizeSessionName(""), { name: "", changed: false });
  });
});

describe("validateSessionName", () => {
  test("accepts a valid name", () => assert.equal(validateSessionName("kitchen-1_a"), undefined));
  test("rejects an empty name", () => assert.match(validateSessionName("") ?? "", /empty/));
  test("names each offending character once", () => {
    const reason = validateSessionName("a b c/d") ?? "";
    assert.match(reason, /" ", "\/"/);
    assert.match(reason, /only letters, digits, "_" and "-"/);
  });
  test("rejects a topic wildcard instead of removing it", () => {
    assert.notEqual(validateSessionName("kitchen/+"), undefined);
  });
  test("accepts the longest allowed name and rejects one character more", () => {
    assert.equal(validateSessionName("a".repeat(MAX_SESSION_NAME_LENGTH)), undefined);
    assert.match(validateSessionName("a".repeat(MAX_SESSION_NAME_LENGTH + 1)) ?? "", /at most 200/);
  });
});
