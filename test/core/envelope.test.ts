import { test } from "node:test";
import assert from "node:assert/strict";
import { contentBytesOf, displaySender, parseInbound, wrapEnvelope } from "../../core/envelope.js";

const MAX = 262_144;
const NOW = new Date("2026-03-01T12:00:00.000Z");
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

test("wrapEnvelope writes sender, ts and content in that order", () => {
  const text = wrapEnvelope({ sender: "kitchen", content: "hello" }, NOW);
  assert.equal(text, '{"sender":"kitchen","ts":"2026-03-01T12:00:00.000Z","content":"hello"}');
});

test("wrapEnvelope adds correlation_id and reply_to only when non-empty", () => {
  const empty = JSON.parse(wrapEnvelope({ sender: "a", content: "x", correlation_id: "", reply_to: "" }, NOW));
  assert.deepEqual(Object.keys(empty), ["sender", "ts", "content"]);
  const full = JSON.parse(wrapEnvelope({ sender: "a", content: "x", correlation_id: "c-1", reply_to: "claude/sessions/a/inbox" }, NOW));
  assert.deepEqual(Object.keys(full), ["sender", "ts", "content", "correlation_id", "reply_to"]);
  assert.equal(full.correlation_id, "c-1");
  assert.equal(full.reply_to, "claude/sessions/a/inbox");
});

test("a wrapped envelope parses back to the same fields", () => {
  const fields = { sender: "bot-1", content: 'multi\nline "quoted" ünïcode 🚀', correlation_id: "c-9", reply_to: "r/t" };
  const text = wrapEnvelope(fields, NOW);
  for (const payload of [text, bytesOf(text)]) {
    const message = parseInbound(payload, MAX);
    assert.deepEqual(message, {
      kind: "envelope",
      sender: "bot-1",
      content: fields.content,
      sentAt: "2026-03-01T12:00:00.000Z",
      correlation_id: "c-9",
      reply_to: "r/t",
      bytes: Buffer.byteLength(text),
    });
  }
});

test("non-string envelope content is kept as its JSON text", () => {
  const cases: Array<[string, string]> = [
    ['{"sender":"s","content":{"temp":21.5,"unit":"C"}}', '{"temp":21.5,"unit":"C"}'],
    ['{"content":42}', "42"],
    ['{"content":false}', "false"],
    ['{"content":[1,"two"]}', '[1,"two"]'],
  ];
  for (const [payload, content] of cases) {
    const message = parseInbound(payload, MAX);
    assert.equal(message.kind, "envelope", payload);
    assert.equal(message.content, content, payload);
  }
});

test("envelope fields count only when they are non-empty strings", () => {
  const message = parseInbound('{"sender":42,"content":"hi","ts":1700000000,"correlation_id":"","reply_to":{"t":1}}', MAX);
  assert.deepEqual(message, { kind: "envelope", content: "hi", bytes: message.bytes });
  assert.equal(message.sender, undefined);
});

test("a null content leaves the whole payload as content", () => {
  const payload = '{"sender":"s","content":null}';
  assert.deepEqual(parseInbound(payload, MAX), { kind: "json", sender: "s", content: payload, bytes: payload.length });
});

test("other JSON is kind json with the raw text as content", () => {
  for (const payload of ["[1,2,3]", "42", "-1.5e3", "true", "null", '"quoted"', '{"temp":21}']) {
    const message = parseInbound(payload, MAX);
    assert.equal(message.kind, "json", payload);
    assert.equal(message.content, payload);
    assert.equal(message.sender, undefined);
  }
});

test("a JSON object without content still yields its string sender", () => {
  const payload = '{"sender":"thermostat","temp":21}';
  const message = parseInbound(payload, MAX);
  assert.equal(message.kind, "json");
  assert.equal(message.sender, "thermostat");
  assert.equal(message.content, payload);
});

test("a sender inherited from Object.prototype is not read", () => {
  const message = parseInbound('{"constructor":"x","content":"c"}', MAX);
  assert.equal(message.sender, undefined);
  assert.equal(parseInbound('{"toString":"x"}', MAX).sender, undefined);
});

test("malformed JSON and plain text are kind text", () => {
  for (const payload of ['{"content": "oops"', "{not json}", "hello world", "tab\tand\r\nnewlines", ""]) {
    const message = parseInbound(payload, MAX);
    assert.equal(message.kind, "text", payload);
    assert.equal(message.content, payload);
    assert.equal(message.sender, undefined);
  }
});

test("a UTF-8 byte order mark is stripped from bytes and strings", () => {
  const json = '{"sender":"s","content":"c"}';
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytesOf(json)]);
  const fromBytes = parseInbound(withBom, MAX);
  assert.equal(fromBytes.kind, "envelope");
  assert.equal(fromBytes.content, "c");
  assert.equal(fromBytes.bytes, json.length + 3);
  const fromString = parseInbound(`\uFEFFplain`, MAX);
  assert.equal(fromString.kind, "text");
  assert.equal(fromString.content, "plain");
});

test("random bytes are reported as binary, never decoded", () => {
  let seed = 7;
  const random = new Uint8Array(1234).map(() => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed >> 16;
  });
  assert.deepEqual(parseInbound(random, MAX), { kind: "binary", content: "[binary payload, 1234 bytes]", bytes: 1234 });
});

test("a PNG header is binary", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const message = parseInbound(png, MAX);
  assert.equal(message.kind, "binary");
  assert.equal(message.content, "[binary payload, 16 bytes]");
});

test("valid UTF-8 with a NUL or other control character is binary", () => {
  for (const payload of ["abc\u0000def", "bell\u0007", "esc\u001b[31mred", "form\ffeed", "del\u007f"]) {
    assert.equal(parseInbound(bytesOf(payload), MAX).kind, "binary", JSON.stringify(payload));
    assert.equal(parseInbound(payload, MAX).kind, "binary", JSON.stringify(payload));
  }
  assert.equal(parseInbound('{"content":"a\\u0000b"}', MAX).kind, "envelope");
});

test("a string with a lone surrogate is binary", () => {
  assert.equal(parseInbound("ab\uD800cd", MAX).kind, "binary");
  assert.equal(parseInbound("ok 🚀", MAX).kind, "text");
});

test("a payload of exactly maxBytes passes and one byte more is oversize", () => {
  const atLimit = "x".repeat(100);
  assert.equal(parseInbound(atLimit, 100).kind, "text");
  assert.equal(parseInbound(bytesOf(atLimit), 100).kind, "text");
  const over = new Uint8Array(101).fill(0xff);
  assert.deepEqual(parseInbound(over, 100), {
    kind: "oversize",
    content: "[payload of 101 bytes dropped: over the 100-byte limit]",
    bytes: 101,
  });
});

test("oversize is measured in UTF-8 bytes, not characters", () => {
  const message = parseInbound("é".repeat(60), 100);
  assert.equal(message.kind, "oversize");
  assert.equal(message.bytes, 120);
});

test("the oversize report names size and limit", () => {
  const message = parseInbound(new Uint8Array(300_000), MAX);
  assert.equal(message.content, "[payload of 300000 bytes dropped: over the 262144-byte limit]");
});

test("an invalid maxBytes is a RangeError", () => {
  assert.throws(() => parseInbound("x", Number.NaN), RangeError);
  assert.throws(() => parseInbound("x", -1), RangeError);
});

test("displaySender shows unknown when no sender was named", () => {
  assert.equal(displaySender(undefined), "unknown");
  assert.equal(displaySender(""), "unknown");
  assert.equal(displaySender("kitchen"), "kitchen");
});

test("an envelope whose content nests 10,000 levels deep is passed on as text and flagged nested, without overflowing the stack", () => {
  const deep = `{"sender":"x","content":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
  const message = parseInbound(bytesOf(deep), MAX);
  assert.deepEqual(message, { kind: "text", content: deep, bytes: deep.length, nested: true });
});

test("JSON within the depth limit is read as JSON, not flagged", () => {
  const shallow = `{"content":${"[".repeat(63)}${"]".repeat(63)}}`;
  const message = parseInbound(shallow, MAX);
  assert.equal(message.kind, "envelope");
  assert.equal(message.nested, undefined);
});

test("a json or text payload's bytes are its content's UTF-8; a BOM, an envelope, binary or oversize are not", () => {
  const bytes = (text: string): Buffer => Buffer.from(text, "utf8");
  for (const text of ['{"t":"21 °C"}', "plain °C", "[1,2]"]) {
    const payload = bytes(text);
    assert.equal(contentBytesOf(parseInbound(payload, 1024), payload), payload, text);
  }
  const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes("{}")]);
  assert.equal(contentBytesOf(parseInbound(withBom, 1024), withBom), undefined);
  for (const payload of [bytes('{"content":"hi"}'), Buffer.from([0xff, 0x00]), bytes("x".repeat(50))]) {
    assert.equal(contentBytesOf(parseInbound(payload, 20), payload), undefined);
  }
});
