import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { sessionTopics } from "../../core/layout.js";

describe("sessionTopics", () => {
  test("puts the session topics under <prefix>/sessions/<name>", () => {
    assert.deepEqual(sessionTopics("claude", "kitchen"), {
      base: "claude/sessions/kitchen",
      inbox: "claude/sessions/kitchen/inbox",
      status: "claude/sessions/kitchen/status",
      channel: "claude/sessions/kitchen/channel",
      rpc: "claude/sessions/kitchen/rpc",
      permission: "claude/sessions/kitchen/permission",
      verdict: "claude/sessions/kitchen/permission/verdict",
    });
  });
  test("keeps a multi-level prefix as is", () => {
    assert.equal(sessionTopics("home/ai", "x").inbox, "home/ai/sessions/x/inbox");
  });
});
