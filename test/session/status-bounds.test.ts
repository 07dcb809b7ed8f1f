import { test } from "node:test";
import assert from "node:assert/strict";
import { parseInbound } from "../../core/envelope.js";
import { Session } from "../../session/session.js";
import { sessionOptions } from "../helpers/session.js";

test("status lists the 100 busiest buffered topics, ties in listing order, and says how many topics and messages there are", () => {
  // Never started: ingest and status need no broker.
  const session = new Session(sessionOptions("mqtt://127.0.0.1:1", { pinned: { watched: ["many/#"] } }));
  // 100 topics with one message, then 60 with two, then 90 with three.
  const messagesOf = (i: number): number => (i < 100 ? 1 : i < 160 ? 2 : 3);
  for (let i = 0; i < 250; i++) {
    for (let j = 0; j < messagesOf(i); j++) session.ingest(`many/${i}`, parseInbound(`v${j}`, 1024), { via: "mqtt" });
  }
  const status = session.status();
  const listed = Object.keys(status.buffer);
  assert.equal(listed.length, 100);
  // The 90 three-message topics, then the first 10 two-message ones.
  const expected = [...Array.from({ length: 90 }, (_, k) => `many/${160 + k}`), ...Array.from({ length: 10 }, (_, k) => `many/${100 + k}`)];
  assert.deepEqual(listed, expected);
  assert.equal(status.buffer["many/249"], 3);
  assert.equal(status.buffer["many/109"], 2);
  assert.equal(status.bufferTopics, 250);
  assert.equal(status.bufferMessages, 490);
});
