import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  defaultSessionConfig,
  parseSessionFile,
  serializeSessionConfig,
  SessionFileError,
} from "../../core/session-file.js";

const INBOX = "claude/sessions/kitchen/inbox";

function problemsOf(text: string): string[] {
  try {
    parseSessionFile(text, INBOX);
  } catch (error) {
    assert.ok(error instanceof SessionFileError, `expected a SessionFileError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`expected ${text} to be rejected`);
}

// Written by the reference plugin (JSON.stringify(config, null, 2), no trailing newline).
const REFERENCE_FILE = `{
  "admitted": [
    "claude/sessions/kitchen/inbox",
    "home/+/alarm"
  ],
  "muted": [],
  "watched": [
    "home/sensor/#"
  ],
  "bufferMaxAge": 600,
  "bufferMaxPerTopic": 20,
  "note": "kept",
  "nested": {
    "a": [
      1,
      2
    ]
  }
}`;

describe("defaultSessionConfig", () => {
  test("admits the own inbox, mutes and watches nothing, buffers 50 per topic for an hour", () => {
    assert.deepEqual(defaultSessionConfig(INBOX), {
      admitted: [INBOX],
      muted: [],
      watched: [],
      bufferMaxAge: 3600,
      bufferMaxPerTopic: 50,
    });
  });
  test("returns fresh lists each time", () => {
    const a = defaultSessionConfig(INBOX);
    a.admitted.push("x");
    assert.deepEqual(defaultSessionConfig(INBOX).admitted, [INBOX]);
  });
});

describe("parseSessionFile: merging over the defaults", () => {
  test("an empty object gives the defaults", () => {
    assert.deepEqual(parseSessionFile("{}", INBOX), defaultSessionConfig(INBOX));
  });
  test("file keys win and missing keys take defaults", () => {
    const config = parseSessionFile('{"watched":["a/#"],"bufferMaxAge":10}', INBOX);
    assert.deepEqual(config, { ...defaultSessionConfig(INBOX), watched: ["a/#"], bufferMaxAge: 10 });
  });
  test("an explicit empty admitted list stays empty", () => {
    assert.deepEqual(parseSessionFile('{"admitted":[]}', INBOX).admitted, []);
  });
  test("unknown keys are kept with their values", () => {
    const config = parseSessionFile('{"future":{"x":1},"admitted":[]}', INBOX);
    assert.deepEqual(config.future, { x: 1 });
  });
  test("patterns are not validated here, only their type", () => {
    assert.deepEqual(parseSessionFile('{"muted":["a/#/b",""]}', INBOX).muted, ["a/#/b", ""]);
  });
  test("fractional buffer ages and the range limits are accepted", () => {
    assert.equal(parseSessionFile('{"bufferMaxAge":0.5}', INBOX).bufferMaxAge, 0.5);
    assert.equal(parseSessionFile('{"bufferMaxAge":86400}', INBOX).bufferMaxAge, 86400);
    assert.equal(parseSessionFile('{"bufferMaxPerTopic":1}', INBOX).bufferMaxPerTopic, 1);
    assert.equal(parseSessionFile('{"bufferMaxPerTopic":10000}', INBOX).bufferMaxPerTopic, 10000);
  });
  test("a leading BOM is accepted", () => {
    assert.deepEqual(parseSessionFile('\uFEFF{"muted":["x"]}', INBOX).muted, ["x"]);
  });
  test("a __proto__ key stays data and does not change the prototype", () => {
    const config = parseSessionFile('{"__proto__":{"admitted":["evil"]}}', INBOX);
    assert.equal(Object.getPrototypeOf(config), Object.prototype);
    assert.deepEqual(config.admitted, [INBOX]);
    assert.ok(Object.hasOwn(config, "__proto__"));
  });
});

describe("parseSessionFile: bad files are errors naming each field and what it accepts", () => {
  const cases: [string, string, RegExp][] = [
    ["admitted null", '{"admitted":null}', /^admitted: got null; accepted: a list of .*strings/],
    ["admitted a string", '{"admitted":"a"}', /^admitted: got "a"; accepted: a list/],
    ["admitted holding a number", '{"admitted":["ok",1]}', /^admitted: item 1 is 1; accepted: a list/],
    ["muted an object", '{"muted":{}}', /^muted: got \{\}; accepted: a list/],
    ["watched holding null", '{"watched":[null]}', /^watched: item 0 is null; accepted: a list/],
    ["bufferMaxAge zero", '{"bufferMaxAge":0}', /^bufferMaxAge: got 0; accepted: a number of seconds greater than 0 and at most 86400/],
    ["bufferMaxAge negative", '{"bufferMaxAge":-5}', /^bufferMaxAge: got -5/],
    ["bufferMaxAge above a day", '{"bufferMaxAge":86401}', /^bufferMaxAge: got 86401/],
    ["bufferMaxAge a string", '{"bufferMaxAge":"60"}', /^bufferMaxAge: got "60"/],
    ["bufferMaxPerTopic fractional", '{"bufferMaxPerTopic":1.5}', /^bufferMaxPerTopic: got 1.5; accepted: a whole number from 1 to 10000/],
    ["bufferMaxPerTopic zero", '{"bufferMaxPerTopic":0}', /^bufferMaxPerTopic: got 0/],
    ["bufferMaxPerTopic too large", '{"bufferMaxPerTopic":10001}', /^bufferMaxPerTopic: got 10001/],
    ["bufferMaxPerTopic null", '{"bufferMaxPerTopic":null}', /^bufferMaxPerTopic: got null/],
    ["invalid JSON", '{"admitted":[', /^not valid JSON .*; accepted: a JSON object/],
    ["an empty file", "", /^not valid JSON/],
    ["a JSON array", "[]", /^holds \[\]; accepted: a JSON object/],
    ["JSON null", "null", /^holds null; accepted: a JSON object/],
    ["a JSON string", '"x"', /^holds "x"/],
  ];
  for (const [name, text, message] of cases) {
    test(`rejects ${name}`, () => {
      const problems = problemsOf(text);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0]!, message);
    });
  }
  test("reports every bad field at once, one line each", () => {
    let error: unknown;
    try {
      parseSessionFile('{"admitted":null,"muted":"x","bufferMaxAge":0,"bufferMaxPerTopic":2.5,"watched":[]}', INBOX);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof SessionFileError);
    assert.deepEqual(
      error.problems.map((p) => p.split(":")[0]),
      ["admitted", "muted", "bufferMaxAge", "bufferMaxPerTopic"],
    );
    assert.equal(error.message, error.problems.join("\n"));
    assert.equal(error.name, "SessionFileError");
  });
  test("a long bad value is shortened in the message", () => {
    const [problem] = problemsOf(JSON.stringify({ admitted: "x".repeat(500) }));
    assert.ok(problem!.length < 200, problem);
  });
});

describe("serializeSessionConfig", () => {
  test("round-trips a file written by the reference byte for byte", () => {
    assert.equal(serializeSessionConfig(parseSessionFile(REFERENCE_FILE, INBOX)), REFERENCE_FILE);
  });
  test("writes the defaults as the reference does", () => {
    assert.equal(
      serializeSessionConfig(defaultSessionConfig(INBOX)),
      '{\n  "admitted": [\n    "claude/sessions/kitchen/inbox"\n  ],\n  "muted": [],\n  "watched": [],\n  "bufferMaxAge": 3600,\n  "bufferMaxPerTopic": 50\n}',
    );
  });
  test("puts the known keys first and the extras after them in their order", () => {
    const text = '{"zeta":1,"bufferMaxPerTopic":5,"alpha":2,"admitted":[]}';
    const keys = Object.keys(JSON.parse(serializeSessionConfig(parseSessionFile(text, INBOX))) as object);
    assert.deepEqual(keys, ["admitted", "muted", "watched", "bufferMaxAge", "bufferMaxPerTopic", "zeta", "alpha"]);
  });
  test("a config changed by spreading keeps the file's key order", () => {
    const config = parseSessionFile(REFERENCE_FILE, INBOX);
    const changed = { note: config.note, ...config, muted: ["x"] };
    const keys = Object.keys(JSON.parse(serializeSessionConfig(changed)) as object);
    assert.deepEqual(keys, ["admitted", "muted", "watched", "bufferMaxAge", "bufferMaxPerTopic", "note", "nested"]);
  });
  test("has no trailing newline", () => {
    assert.ok(!serializeSessionConfig(defaultSessionConfig(INBOX)).endsWith("\n"));
  });
  test("keeps a __proto__ extra through a round trip", () => {
    const text = serializeSessionConfig(parseSessionFile('{"__proto__":{"a":1}}', INBOX));
    assert.match(text, /"__proto__": \{\n {4}"a": 1\n {2}\}\n\}$/);
  });
});

test("a session file nesting deeper than the limit is refused before it is parsed", () => {
  const text = `{"admitted":[],"extra":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
  assert.throws(() => parseSessionFile(text, "claude/sessions/a/inbox"), /more than 64 levels deep/);
});
