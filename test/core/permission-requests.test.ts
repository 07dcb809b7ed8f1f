import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { behaviorOf, PendingPermissions, permissionRequestSchema } from "../../core/permission-requests.js";

const request = (id: string) => ({ request_id: id, tool_name: "Bash", description: "Run shell command", input_preview: '{"command": "ls"}' });

describe("PendingPermissions", () => {
  test("the first verdict wins; a second one for the same id is dropped as unknown", () => {
    const pending = new PendingPermissions({ max: 5, ttlMs: 1000 });
    assert.equal(pending.add(request("abcde"), 0)?.expiresAt, 1000);
    assert.equal(pending.decide({ request_id: "abcde", behavior: "allow" }, 10).kind, "decided");
    assert.equal(pending.decide({ request_id: "abcde", behavior: "deny" }, 20).kind, "unknown");
    assert.deepEqual(pending.stats(30), { pending: 0, requested: 1, allowed: 1, denied: 0, expired: 0, full: 0, unknownVerdicts: 1, lateVerdicts: 0 });
  });

  test("requests expire; a verdict after that is late, one for a never-seen id unknown", () => {
    const pending = new PendingPermissions({ max: 5, ttlMs: 1000 });
    pending.add(request("abcde"), 0);
    assert.deepEqual(pending.list(999).map((r) => r.request_id), ["abcde"]);
    assert.deepEqual(pending.list(1000), []);
    assert.equal(pending.decide({ request_id: "abcde", behavior: "allow" }, 1001).kind, "expired");
    assert.equal(pending.decide({ request_id: "zzzzz", behavior: "allow" }, 1001).kind, "unknown");
    const stats = pending.stats(1002);
    assert.deepEqual([stats.expired, stats.lateVerdicts, stats.unknownVerdicts, stats.allowed], [1, 1, 1, 0]);
  });

  test("at most max wait; one more is refused and counted, not queued", () => {
    const pending = new PendingPermissions({ max: 2, ttlMs: 1000 });
    assert.ok(pending.add(request("aaaaa"), 0));
    assert.ok(pending.add(request("bbbbb"), 0));
    assert.equal(pending.add(request("ccccc"), 0), undefined);
    assert.equal(pending.stats(0).full, 1);
    assert.equal(pending.decide({ request_id: "ccccc", behavior: "allow" }, 0).kind, "unknown");
  });
});

describe("requests and verdicts from outside", () => {
  test("a request is checked: id shape, texts bounded", () => {
    assert.ok(permissionRequestSchema.safeParse(request("abcde")).success);
    assert.ok(!permissionRequestSchema.safeParse({ ...request("a/b"), request_id: "a/b" }).success);
    assert.ok(!permissionRequestSchema.safeParse({ ...request("abcde"), description: "x".repeat(10_001) }).success);
    assert.ok(!permissionRequestSchema.safeParse({ request_id: "abcde" }).success);
  });
  test("allow / deny in any case, or booleans; anything else is no verdict", () => {
    assert.deepEqual([behaviorOf("Allow"), behaviorOf(" deny "), behaviorOf(true), behaviorOf(false), behaviorOf("true")], ["allow", "deny", "allow", "deny", "allow"]);
    assert.deepEqual([behaviorOf("yes"), behaviorOf(1), behaviorOf(undefined)], [undefined, undefined, undefined]);
  });
});
