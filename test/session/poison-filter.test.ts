import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PICKY_MAX_LEVELS, startPickyBroker, type PickyBroker } from "../helpers/picky-broker.js";
import { fileStore, nextEvent, sessionOptions, startedSession, tempDir } from "../helpers/session.js";
import { Session } from "../../session/session.js";
import { runTool } from "../../session/tools/run.js";

let broker: PickyBroker;
const open: Session[] = [];
const tooDeep = Array.from({ length: PICKY_MAX_LEVELS + 1 }, () => "x").join("/");

async function session(overrides: Parameters<typeof sessionOptions>[1] = {}): Promise<Session> {
  const s = await startedSession(sessionOptions(broker.url, overrides));
  open.push(s);
  return s;
}

before(async () => {
  broker = await startPickyBroker();
});
after(async () => {
  await Promise.all(open.map((s) => s.stop()));
  await broker.stop();
});

describe("filters the broker refuses", () => {
  test("a watch the broker answers with a SUBACK failure is a tool error and is not persisted", async () => {
    const dir = tempDir();
    const store = fileStore(dir, "alpha");
    const s = await session({ store });
    const outcome = await runTool(s, "watch", { pattern: "refused/topic" });
    assert.equal(outcome.isError, true);
    assert.match(outcome.text, /refused the subscription to refused\/topic/);
    assert.deepEqual(s.effectiveLists().watched, []);
    // The lists were never saved with it (nothing changed, so no file at all).
    assert.throws(() => readFileSync(store.location, "utf8"), /ENOENT/);
    assert.equal(s.state, "connected");
  });

  test("a watch that makes the broker drop the connection is a tool error; the session reconnects once and stays up", async () => {
    const dir = tempDir();
    const store = fileStore(dir, "alpha");
    const s = await session({ store });
    const before = broker.connections;
    const outcome = await runTool(s, "watch", { pattern: tooDeep });
    assert.equal(outcome.isError, true, outcome.text);
    assert.match(outcome.text, /closed the connection right after the SUBSCRIBE/);
    assert.deepEqual(s.effectiveLists().watched, []);
    await nextEvent(s, "state", (state) => state === "connected", 15_000);
    // Trying it again is refused without a word to the broker.
    const again = await runTool(s, "admit", { pattern: tooDeep });
    assert.equal(again.isError, true);
    // The status tool still works and the session did not flap: one reconnect.
    const status = (await runTool(s, "status", {})).data as { connection: { state: string } };
    assert.equal(status.connection.state, "connected");
    assert.equal(broker.connections - before, 1);
    assert.throws(() => readFileSync(store.location, "utf8"), /ENOENT/);
  });

  test("a session file holding such a pattern starts without it, reports it and keeps the file", async () => {
    const dir = tempDir();
    const store = fileStore(dir, "alpha");
    mkdirSync(dirname(store.location), { recursive: true });
    const text = JSON.stringify({ admitted: ["ok/topic"], watched: [tooDeep, "refused/one", "fine/+"], muted: [] });
    writeFileSync(store.location, text);
    const s = new Session(sessionOptions(broker.url, { store }));
    open.push(s);
    const problems: string[] = [];
    s.on("log", (level, message) => level === "error" && problems.push(message));
    s.start();
    // The deep filter goes out in the connect batch, is a suspect after the drop, and alone on the next connect.
    const deadline = Date.now() + 30_000;
    while (problems.filter((p) => p.includes("goes on without it")).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (s.state !== "connected") await nextEvent(s, "state", (state) => state === "connected", 15_000);
    assert.deepEqual(s.effectiveLists().watched, ["fine/+"]);
    const status = s.status();
    assert.ok(status.problems.some((p) => p.includes(tooDeep) && p.includes("goes on without it")), status.problems.join("\n"));
    assert.ok(status.problems.some((p) => p.includes("refused/one")), status.problems.join("\n"));
    assert.ok(!status.activeSubscriptions.includes(tooDeep));
    assert.equal(readFileSync(store.location, "utf8"), text);
  });
});

describe("payloads that cannot be read as they are", () => {
  test("a deeply nested JSON payload reaches the gate as text and is counted as nested", async () => {
    const s = await session();
    await s.addPattern("admitted", "deep/topic");
    const { connectAsync } = await import("mqtt");
    const peer = await connectAsync(broker.url);
    const admitted = nextEvent(s, "admitted");
    const deep = `{"content":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    await peer.publishAsync("deep/topic", deep, { qos: 1 });
    const [message] = await admitted;
    assert.equal(message.kind, "text");
    assert.equal(message.content.length, deep.length);
    assert.equal(s.status().counts.nested, 1);
    await peer.endAsync();
  });
});
