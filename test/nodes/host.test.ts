import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { SessionHost } from "../../nodes/claude-session/host.js";
import type { SessionUser, SessionView } from "../../nodes/shared/types.js";
import type { Session } from "../../session/session.js";

/** Stands in for a Session: counts starts and stops, and reports state like the real one. */
class FakeSession extends EventEmitter {
  starts = 0;
  stops = 0;
  start(): void {
    this.starts++;
    this.emit("state", "connecting", undefined);
  }
  async stop(): Promise<void> {
    this.stops++;
    this.emit("state", "stopped", undefined);
  }
  status(): { problems: string[] } {
    return { problems: ["ignored invalid admitted pattern \"a#\""] };
  }
}

function user(id: string): SessionUser & { views: SessionView[] } {
  const views: SessionView[] = [];
  return { id, views, sessionChanged: (view) => views.push(view) };
}

function host(logs: string[] = []) {
  const made: FakeSession[] = [];
  const h = new SessionHost(
    {
      create: () => {
        const s = new FakeSession();
        made.push(s);
        return s as unknown as Session;
      },
    },
    (level, message) => logs.push(`${level}: ${message}`),
  );
  return { h, made };
}

describe("SessionHost", () => {
  test("the first user starts the session, later users share it, and each hears the current state at once", () => {
    const logs: string[] = [];
    const { h, made } = host(logs);
    const a = user("a");
    const b = user("b");
    h.register(a);
    h.register(b);
    assert.equal(made.length, 1);
    assert.equal(made[0]!.starts, 1);
    assert.deepEqual(b.views, [{ state: "connecting" }]);
    made[0]!.emit("state", "connected", undefined);
    assert.deepEqual(a.views.at(-1), { state: "connected" });
    assert.deepEqual(b.views.at(-1), { state: "connected" });
    assert.deepEqual(logs, ['warn: ignored invalid admitted pattern "a#"'], "problems found while the session was built are logged");
  });

  test("a redeployed user leaving keeps the session; the last removed user stops it; the next user starts a new one", async () => {
    const { h, made } = host();
    const a = user("a");
    h.register(a);
    made[0]!.on("elsewhere", () => undefined);
    await h.deregister(a, false);
    assert.equal(made[0]!.stops, 0);
    assert.deepEqual(a.views.at(-1), { state: "disconnected" }, "the leaving user is told");
    h.register(a);
    assert.equal(made.length, 1);
    await h.deregister(a, true);
    assert.equal(made[0]!.stops, 1);
    assert.equal(made[0]!.listenerCount("state"), 0, "the host's listeners are released");
    assert.equal(made[0]!.listenerCount("elsewhere"), 1, "listeners others put on the session stay");
    h.register(a);
    assert.equal(made.length, 2);
    await h.close();
    assert.equal(made[1]!.stops, 1);
    h.register(user("late"));
    assert.equal(made.length, 2, "a closed host starts nothing");
  });

  test("an unusable configuration starts nothing and every user is told why", () => {
    const h = new SessionHost({ problem: "broker: empty" }, () => undefined);
    const a = user("a");
    h.register(a);
    assert.deepEqual(a.views, [{ state: "invalid", problem: "broker: empty" }]);
    assert.deepEqual(h.current(), { problem: "broker: empty" });
  });

  test("a session that cannot be built is reported to the users, not thrown", () => {
    const logs: string[] = [];
    const h = new SessionHost({ create: () => { throw new Error("disk on fire"); } }, (level, message) => logs.push(`${level}: ${message}`));
    const a = user("a");
    assert.doesNotThrow(() => h.register(a));
    assert.deepEqual(a.views.at(-1), { state: "invalid", problem: "the session could not be created: disk on fire" });
    h.register(user("b"));
    assert.deepEqual(logs, ["error: the session could not be created: disk on fire"], "not retried for every user");
  });
});
