import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkPublish, checkReply, describePermissions, isSessionInbox, type PermissionVerdict } from "../../core/permissions.js";

const refusal = (verdict: PermissionVerdict): string | undefined => (verdict.ok ? undefined : verdict.refusal);

describe("checkPublish", () => {
  test("without lists every topic may be published (claude-code-mqtt's behaviour)", () => {
    assert.deepEqual(checkPublish({ deny: [] }, "any/where"), { ok: true });
    assert.deepEqual(checkPublish({ allow: [], deny: [] }, "any/where"), { ok: true });
  });
  test("with an allow list only matching topics may be published, and the refusal lists it", () => {
    const permissions = { allow: ["home/commands/#"], deny: [] };
    assert.equal(refusal(checkPublish(permissions, "home/commands/light/set")), undefined);
    assert.equal(refusal(checkPublish(permissions, "home/commands")), undefined);
    const refused = checkPublish(permissions, "victim/device/set");
    assert.equal(refusal(refused), "not-allowed");
    assert.match(refused.ok ? "" : refused.message, /victim\/device\/set is not in the owner's publish allow list \(publishAllow: "home\/commands\/#"\)/);
  });
  test("deny wins over allow and names its rule", () => {
    const refused = checkPublish({ allow: ["home/#"], deny: ["home/commands/lock/+"] }, "home/commands/lock/front");
    assert.equal(refusal(refused), "denied");
    assert.match(refused.ok ? "" : refused.message, /deny rule "home\/commands\/lock\/\+" \(publishDeny\)/);
  });
  test("a leading wildcard does not allow $-topics", () => {
    assert.equal(refusal(checkPublish({ allow: ["#"], deny: [] }, "$SYS/x")), "not-allowed");
  });
});

describe("the reply space", () => {
  const prefix = "claude";
  test("a session inbox is in it, even with no allow list", () => {
    assert.deepEqual(checkReply({ deny: [] }, prefix, "claude/sessions/garage/inbox"), { ok: true });
  });
  test("any other topic is outside it unless an allow filter or the node's own filter names it", () => {
    assert.equal(refusal(checkReply({ deny: [] }, prefix, "victim/device/set")), "outside-reply-space");
    assert.equal(refusal(checkReply({ allow: ["answers/#"], deny: [] }, prefix, "answers/1")), undefined);
    assert.equal(refusal(checkReply({ deny: [] }, prefix, "answers/1", ["answers/+"])), undefined);
  });
  test("deny still wins; an allow list does not take inboxes out of it (Claude's replies pass checkPublish too)", () => {
    assert.equal(refusal(checkReply({ deny: ["claude/sessions/+/inbox"] }, prefix, "claude/sessions/a/inbox")), "denied");
    assert.equal(refusal(checkReply({ allow: ["home/#"], deny: [] }, prefix, "claude/sessions/a/inbox")), undefined);
  });
  test("only a one-level, valid session name under the prefix makes an inbox", () => {
    assert.equal(isSessionInbox(prefix, "claude/sessions/a/inbox"), true);
    assert.equal(isSessionInbox(prefix, "claude/sessions/a/b/inbox"), false);
    assert.equal(isSessionInbox(prefix, "claude/sessions//inbox"), false);
    assert.equal(isSessionInbox(prefix, "other/sessions/a/inbox"), false);
    assert.equal(isSessionInbox(prefix, "claude/sessions/a/inbox/x"), false);
  });
});

describe("describePermissions", () => {
  test("says what is allowed and what never is", () => {
    assert.equal(describePermissions({ deny: [] }), "any topic");
    assert.equal(describePermissions({ allow: ["a/#", "b"], deny: ["a/x"] }), "only a/#, b, never a/x");
  });
});
