import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { MAX_PATTERNS_PER_LIST } from "../../core/limits.js";
import { filtersOverlap } from "../../core/topics.js";
import { Session } from "../../session/session.js";
import { batchesOf, SUBSCRIBE_BATCH } from "../../session/subscription-guard.js";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { fileStore, nextEvent, sessionOptions, startedSession, tempDir, uniquePrefix } from "../helpers/session.js";

let broker: TestBroker;
const open: Session[] = [];

before(async () => {
  broker = await startBroker();
});
after(async () => {
  await Promise.all(open.map((s) => s.stop()));
  await broker.stop();
});

function sessionsDir(): string {
  const dir = tempDir();
  mkdirSync(join(dir, "sessions"));
  return dir;
}

function offline(dir: string): Session {
  const s = new Session(sessionOptions("mqtt://127.0.0.1:1", { store: fileStore(dir, "alpha") }));
  open.push(s);
  return s;
}

describe("the session file is never overwritten with less than it holds", () => {
  test("a session file that cannot be read (a directory in its place) is left as it is, and changes are refused naming it", async () => {
    const dir = sessionsDir();
    const file = join(dir, "sessions", "alpha.json");
    mkdirSync(file);
    writeFileSync(join(file, "keep"), "the owner's");
    const s = offline(dir);
    assert.match(s.status().problems.join("\n"), /alpha\.json could not be read .*left as it is/);
    await assert.rejects(s.addPattern("admitted", "home/#"), /could not be read .*cannot change until the file is fixed/);
    await assert.rejects(s.addPattern("muted", "noise/#"), /cannot change until the file is fixed/);
    assert.throws(() => s.config({ bufferMaxAge: 60 }), /cannot change until the file is fixed/);
    assert.equal(s.config({}).bufferMaxAge, 3600, "reading the config still works");
    assert.equal(s.status().admitted.includes("home/#"), false);
    assert.deepEqual(readdirSync(join(dir, "sessions")), ["alpha.json"], "no temp file, nothing moved");
    assert.equal(readFileSync(join(file, "keep"), "utf8"), "the owner's");
  });

  test("a save that fails leaves no temp file behind", () => {
    const dir = sessionsDir();
    const store = fileStore(dir, "alpha");
    mkdirSync(join(dir, "sessions", "alpha.json"));
    assert.throws(() => store.save("{}"));
    assert.deepEqual(readdirSync(join(dir, "sessions")), ["alpha.json"]);
  });

  test(`a list of more than ${MAX_PATTERNS_PER_LIST} patterns: the first ${MAX_PATTERNS_PER_LIST} are in force, the file is kept as it is and reported`, async () => {
    const dir = sessionsDir();
    const text = JSON.stringify({ watched: Array.from({ length: 100_000 }, (_, i) => `w/${i}`) });
    writeFileSync(join(dir, "sessions", "alpha.json"), text);
    const s = offline(dir);
    assert.match(s.status().problems.join("\n"), /more than 1000 patterns in a list \(watched holds 100000\)/);
    assert.equal(s.currentConfig().watched.length, MAX_PATTERNS_PER_LIST);
    await assert.rejects(s.addPattern("watched", "w/extra"), /cannot change until the file is fixed/);
    assert.equal(readFileSync(join(dir, "sessions", "alpha.json"), "utf8"), text);
  });

  test(`Claude cannot grow a list beyond ${MAX_PATTERNS_PER_LIST} patterns`, async () => {
    const dir = sessionsDir();
    writeFileSync(join(dir, "sessions", "alpha.json"), JSON.stringify({ muted: Array.from({ length: MAX_PATTERNS_PER_LIST }, (_, i) => `m/${i}`) }));
    const s = offline(dir);
    assert.deepEqual(s.status().problems, []);
    await assert.rejects(s.addPattern("muted", "m/extra"), /the muted list holds its maximum of 1000 patterns/);
    assert.equal(await s.removePattern("muted", "m/0"), true);
    assert.equal(await s.addPattern("muted", "m/extra"), true);
  });
});

describe("subscriptions of a long list", () => {
  test("batches hold no two overlapping filters and at most SUBSCRIBE_BATCH each", () => {
    const filters = ["a/#", "a/b", "a/+", "b/c", "+/c", ...Array.from({ length: 250 }, (_, i) => `n/${i}`), "n/#"];
    const batches = batchesOf(filters, SUBSCRIBE_BATCH);
    assert.deepEqual(batches.flat().sort(), [...filters].sort());
    for (const batch of batches) {
      assert.ok(batch.length <= SUBSCRIBE_BATCH);
      for (const a of batch) for (const b of batch) if (a !== b) assert.equal(filtersOverlap(a, b), false, `${a} and ${b} share a SUBSCRIBE`);
    }
    assert.ok(batches.length <= 6, `${batches.length} batches for ${filters.length} filters`);
  });

  test(`with ${2 * MAX_PATTERNS_PER_LIST} patterns the inbox works and every pattern is subscribed`, async () => {
    const dir = sessionsDir();
    const admitted = Array.from({ length: MAX_PATTERNS_PER_LIST }, (_, i) => `big/a/${i}`);
    const watched = Array.from({ length: MAX_PATTERNS_PER_LIST }, (_, i) => `big/w/${i}/+`);
    const prefix = uniquePrefix();
    writeFileSync(join(dir, "sessions", "alpha.json"), JSON.stringify({ admitted: [`${prefix}/sessions/alpha/inbox`, ...admitted.slice(1)], watched }));
    const s = await startedSession(sessionOptions(broker.url, { prefix, store: fileStore(dir, "alpha") }));
    open.push(s);
    assert.deepEqual(s.status().problems, []);
    const peer = await mqtt.connectAsync(broker.url);
    try {
      const inbox = nextEvent(s, "admitted", (m) => m.topic === s.topics.inbox);
      await peer.publishAsync(s.topics.inbox, JSON.stringify({ sender: "bob", ts: "", content: "hello" }), { qos: 1 });
      assert.equal((await inbox)[0].content, "hello");
      const last = nextEvent(s, "admitted", (m) => m.topic === `big/a/${MAX_PATTERNS_PER_LIST - 1}`);
      await peer.publishAsync(`big/a/${MAX_PATTERNS_PER_LIST - 1}`, "last", { qos: 1 });
      assert.equal((await last)[0].content, "last");
      const watchedLast = nextEvent(s, "watched", (topic) => topic === `big/w/${MAX_PATTERNS_PER_LIST - 1}/x`);
      await peer.publishAsync(`big/w/${MAX_PATTERNS_PER_LIST - 1}/x`, "w", { qos: 1 });
      await watchedLast;
    } finally {
      await peer.endAsync();
    }
  });
});
