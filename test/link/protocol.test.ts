import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { decodeFrame, encodeFrame, MAX_CLOCK_SKEW_MS, MAX_FRAME_BYTES, NonceCache } from "../../session/link/protocol.js";

const KEY = "k".repeat(40);
const TOPIC = "claude/sessions/home/rpc";

describe("link frames", () => {
  test("a signed frame decodes on the topic it was made for", () => {
    const frame = encodeFrame(KEY, TOPIC, "call", "b1", { id: "1", tool: "status", args: {} });
    const got = decodeFrame(KEY, TOPIC, frame, ["call"], new NonceCache());
    assert.equal(got.ok, true);
    assert.deepEqual(got.ok && got.body, { id: "1", tool: "status", args: {} });
  });

  test("a frame signed with another key is refused as bad-signature", () => {
    const frame = encodeFrame("x".repeat(40), TOPIC, "call", "b1", { id: "1", tool: "status", args: {} });
    const got = decodeFrame(KEY, TOPIC, frame, ["call"], new NonceCache());
    assert.deepEqual(got.ok ? "ok" : got.reason, "bad-signature");
  });

  test("a tampered body is refused", () => {
    const frame = JSON.parse(encodeFrame(KEY, TOPIC, "call", "b1", { id: "1", tool: "status", args: {} })) as { body: { tool: string } };
    frame.body.tool = "publish";
    const got = decodeFrame(KEY, TOPIC, JSON.stringify(frame), ["call"], new NonceCache());
    assert.deepEqual(got.ok ? "ok" : got.reason, "bad-signature");
  });

  test("a frame replayed on another topic is refused", () => {
    const frame = encodeFrame(KEY, TOPIC, "call", "b1", { id: "1", tool: "status", args: {} });
    const got = decodeFrame(KEY, "claude/sessions/other/rpc", frame, ["call"], new NonceCache());
    assert.deepEqual(got.ok ? "ok" : got.reason, "bad-signature");
  });

  test("the same frame twice is refused as replayed", () => {
    const nonces = new NonceCache();
    const frame = encodeFrame(KEY, TOPIC, "ack", "b1", { epoch: "e", seq: 3 });
    assert.equal(decodeFrame(KEY, TOPIC, frame, ["ack"], nonces).ok, true);
    const again = decodeFrame(KEY, TOPIC, frame, ["ack"], nonces);
    assert.deepEqual(again.ok ? "ok" : again.reason, "replayed");
  });

  test("a nonce forgotten because the cache was full does not reopen a replay", () => {
    const nonces = new NonceCache(120_000, 2);
    const sent = Date.now();
    const frames = [0, 1, 2].map((n) => encodeFrame(KEY, TOPIC, "ack", "b1", { epoch: "e", seq: n }, new Date(sent + n)));
    for (const frame of frames) assert.equal(decodeFrame(KEY, TOPIC, frame, ["ack"], nonces).ok, true);
    const again = decodeFrame(KEY, TOPIC, frames[0]!, ["ack"], nonces);
    assert.deepEqual(again.ok ? "ok" : again.reason, "replayed");
    const newer = encodeFrame(KEY, TOPIC, "ack", "b1", { epoch: "e", seq: 3 }, new Date(sent + 3));
    assert.equal(decodeFrame(KEY, TOPIC, newer, ["ack"], nonces).ok, true);
  });

  test("an old frame is refused as stale", () => {
    const old = new Date(Date.now() - MAX_CLOCK_SKEW_MS - 5000);
    const frame = encodeFrame(KEY, TOPIC, "ack", "b1", { epoch: "e", seq: 3 }, old);
    const got = decodeFrame(KEY, TOPIC, frame, ["ack"], new NonceCache());
    assert.deepEqual(got.ok ? "ok" : got.reason, "stale");
  });

  test("unsigned, malformed and unexpected frames are refused with their reason", () => {
    const nonces = new NonceCache();
    const reason = (payload: string, accept: readonly ("call" | "event")[] = ["call"]): string => {
      const got = decodeFrame(KEY, TOPIC, payload, accept, nonces);
      return got.ok ? "ok" : got.reason;
    };
    assert.equal(reason(JSON.stringify({ v: 1, type: "call", body: {} })), "unsigned");
    assert.equal(reason("not json"), "malformed");
    assert.equal(reason(Buffer.from([0xff, 0xfe]).toString()), "malformed");
    assert.equal(reason(encodeFrame(KEY, TOPIC, "call", "b1", { id: "1", tool: "x", args: {} }), ["event"]), "unexpected-type");
    // correctly signed but the body breaks the schema
    const body = { id: "", tool: "status", args: {} };
    const fields = { v: 1, type: "call", ts: new Date().toISOString(), nonce: "n".repeat(22), from: "b1", body };
    const sig = createHmac("sha256", KEY)
      .update([fields.v, fields.type, fields.ts, fields.nonce, fields.from, TOPIC, JSON.stringify(body)].join("\n"))
      .digest("hex");
    assert.equal(reason(JSON.stringify({ ...fields, sig })), "malformed");
  });

  test("a sender id that could form a wildcard topic is malformed", () => {
    const frame = JSON.parse(encodeFrame(KEY, TOPIC, "bye", "b1", { bridge: "b1" })) as { from: string };
    frame.from = "b1/#";
    const got = decodeFrame(KEY, TOPIC, JSON.stringify(frame), ["bye"], new NonceCache());
    assert.deepEqual(got.ok ? "ok" : got.reason, "malformed");
  });

  test("a frame of 10,000 nested arrays is refused as nested, signed or not, without overflowing the stack", () => {
    const nonces = new NonceCache();
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const signedLooking = encodeFrame(KEY, TOPIC, "call", "b1", { id: "1", tool: "status", args: {} }).replace('"args":{}', `"args":${deep}`);
    for (const payload of [deep, signedLooking, Buffer.from(signedLooking)]) {
      const got = decodeFrame(KEY, TOPIC, payload, ["call"], nonces);
      assert.deepEqual(got.ok ? "ok" : got.reason, "nested");
    }
  });

  test("brackets inside strings do not count as nesting", () => {
    const frame = encodeFrame(KEY, TOPIC, "call", "b1", { id: "1", tool: "publish", args: { text: "[".repeat(5000) } });
    assert.equal(decodeFrame(KEY, TOPIC, frame, ["call"], new NonceCache()).ok, true);
  });

  test("a frame over the size limit is refused as oversize before it is parsed", () => {
    const big = `{"sig":"${"a".repeat(MAX_FRAME_BYTES)}"}`;
    const got = decodeFrame(KEY, TOPIC, big, ["call"], new NonceCache());
    assert.deepEqual(got.ok ? "ok" : got.reason, "oversize");
  });
});
