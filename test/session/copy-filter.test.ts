import { test } from "node:test";
import assert from "node:assert/strict";
import type { IPublishPacket } from "mqtt";
import { CopyFilter } from "../../session/connection.js";

function packet(topic: string, payload: string, extra: { ids?: number[]; dup?: boolean; qos?: 0 | 1 } = {}): [string, Buffer, IPublishPacket] {
  const body = Buffer.from(payload);
  const ids = extra.ids ?? [];
  return [
    topic,
    body,
    {
      cmd: "publish",
      topic,
      payload: body,
      qos: extra.qos ?? 1,
      dup: extra.dup ?? false,
      retain: false,
      ...(ids.length > 0 ? { properties: { subscriptionIdentifier: ids.length === 1 ? ids[0]! : ids } } : {}),
    },
  ];
}

test("copies for overlapping subscriptions: the same message right after, under other subscription ids", () => {
  const filter = new CopyFilter();
  assert.equal(filter.check(...packet("a/b", "x", { ids: [1] })), undefined);
  assert.equal(filter.check(...packet("a/b", "x", { ids: [2] })), "overlap-copy");
  assert.equal(filter.check(...packet("a/b", "x", { ids: [3] })), "overlap-copy");
  // The same payload again under an id already seen: a new message (its own copies follow).
  assert.equal(filter.check(...packet("a/b", "x", { ids: [1] })), undefined);
  assert.equal(filter.check(...packet("a/b", "x", { ids: [2] })), "overlap-copy");
  // Another payload or topic is never a copy; nor is anything without subscription ids.
  assert.equal(filter.check(...packet("a/b", "y", { ids: [2] })), undefined);
  assert.equal(filter.check(...packet("a/c", "y", { ids: [3] })), undefined);
  assert.equal(filter.check(...packet("a/c", "y")), undefined);
  assert.equal(filter.check(...packet("a/c", "y")), undefined);
});

test("one copy naming several subscription ids passes once", () => {
  const filter = new CopyFilter();
  assert.equal(filter.check(...packet("a/b", "x", { ids: [1, 2] })), undefined);
  assert.equal(filter.check(...packet("a/b", "x", { ids: [3] })), "overlap-copy");
});

test("a QoS 1 redelivery (DUP) of a message received shortly before is dropped; one never received passes", () => {
  const filter = new CopyFilter();
  assert.equal(filter.check(...packet("door", "open")), undefined);
  assert.equal(filter.check(...packet("temp", "21")), undefined);
  assert.equal(filter.check(...packet("door", "open", { dup: true })), "redelivered");
  assert.equal(filter.check(...packet("door", "closed", { dup: true })), undefined);
  assert.equal(filter.check(...packet("door", "open")), undefined, "without DUP, the same payload again is a new message");
});
