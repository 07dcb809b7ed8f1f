import { test } from "node:test";
import assert from "node:assert/strict";
import { parseInbound } from "../../core/envelope.js";
import { Session } from "../../session/session.js";
import { sessionOptions } from "../helpers/session.js";

test("status lists the first 100 buffered topics and says how many topics and messages there are", () => {
  // Never started: ingest and status need no broker.
  const session = new Session(sessionOptions("mqtt://127.0.0.1:1", { pinned: { watched: ["many/#"] } }));
  for (let i = 0; i < 250; i++) {
    for (let j = 0; j < 2; j++) session.ingest(`many/${i}`, parseInbound(`v${j}`, 1024), { via: "mqtt" });
  }
  const status = session.status();
  assert.equal(Object.keys(status.buffer).length, 100);
  assert.equal(status.buffer["many/0"], 2);
  assert.equal(status.buffer["many/99"], 2);
  assert.equal(status.buffer["many/100"], undefined);
  assert.equal(status.bufferTopics, 250);
  assert.equal(status.bufferMessages, 500);
});
