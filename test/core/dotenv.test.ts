import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyEnvEntries, parseEnvFile, parseEnvLine } from "../../core/dotenv.js";

describe("parseEnvLine: the reference's ten test vectors", () => {
  const vectors: [string, { key: string; value: string } | undefined][] = [
    ["FOO=bar", { key: "FOO", value: "bar" }],
    ['FOO="bar baz"', { key: "FOO", value: "bar baz" }],
    ["FOO='bar baz'", { key: "FOO", value: "bar baz" }],
    ["PASSWORD=abc=def=ghi", { key: "PASSWORD", value: "abc=def=ghi" }],
    ["# this is a comment", undefined],
    ["", undefined],
    ["   ", undefined],
    ["  FOO = bar  ", { key: "FOO", value: "bar" }],
    ["JUSTAKEYNOVALUE", undefined],
    ["FOO-BAR=baz", undefined],
    ['PASS="a=b=c"', { key: "PASS", value: "a=b=c" }],
  ];
  for (const [line, expected] of vectors) {
    test(`${JSON.stringify(line)} → ${expected ? `${expected.key} = ${JSON.stringify(expected.value)}` : "skipped"}`, () => {
      assert.deepEqual(parseEnvLine(line), expected);
    });
  }
});

describe("parseEnvLine: derived reference behaviour", () => {
  test("a line starting with = is skipped", () => assert.equal(parseEnvLine("=x"), undefined));
  test("export lines are skipped", () => assert.equal(parseEnvLine("export FOO=bar"), undefined));
  test("an empty value is kept as empty", () => assert.deepEqual(parseEnvLine("FOO="), { key: "FOO", value: "" }));
  test("an unmatched quote is kept", () => assert.deepEqual(parseEnvLine('FOO="bar'), { key: "FOO", value: '"bar' }));
  test("a lone quote is both ends of a quoted value and becomes empty", () => {
    assert.deepEqual(parseEnvLine('FOO="'), { key: "FOO", value: "" });
    assert.deepEqual(parseEnvLine("FOO='"), { key: "FOO", value: "" });
  });
  test("an inline comment is part of the value", () => {
    assert.deepEqual(parseEnvLine("FOO=bar # c"), { key: "FOO", value: "bar # c" });
  });
  test("mixed quotes are not removed", () => assert.deepEqual(parseEnvLine(`FOO="bar'`), { key: "FOO", value: `"bar'` }));
  test("only one pair of quotes is removed", () => assert.deepEqual(parseEnvLine(`FOO=""x""`), { key: "FOO", value: `"x"` }));
  test("spaces inside quotes survive, spaces outside do not", () => {
    assert.deepEqual(parseEnvLine(`FOO= " a " `), { key: "FOO", value: " a " });
  });
  test("a comment after leading blanks is skipped", () => assert.equal(parseEnvLine("   # FOO=bar"), undefined));
  test("a key with inner spaces is skipped", () => assert.equal(parseEnvLine("A B=1"), undefined));
  test("keys may hold digits and underscores, and start with either", () => {
    assert.deepEqual(parseEnvLine("_9A_b=1"), { key: "_9A_b", value: "1" });
  });
  test("a non-ASCII letter in the key skips the line", () => assert.equal(parseEnvLine("FÖÖ=1"), undefined));
  test("escapes and variables are not processed", () => {
    assert.deepEqual(parseEnvLine(String.raw`FOO="a\nb $HOME"`), { key: "FOO", value: String.raw`a\nb $HOME` });
  });
});

describe("parseEnvFile", () => {
  test("returns entries in file order with 1-based line numbers", () => {
    const text = "# broker\nMQTT_BROKER_URL=mqtt://h:1883\n\nexport NOPE=1\nSESSION_NAME='kitchen'\n";
    assert.deepEqual(parseEnvFile(text), [
      { key: "MQTT_BROKER_URL", value: "mqtt://h:1883", line: 2 },
      { key: "SESSION_NAME", value: "kitchen", line: 5 },
    ]);
  });
  test("CRLF line endings are removed from values", () => {
    assert.deepEqual(parseEnvFile('A=1\r\nB="two"\r\n'), [
      { key: "A", value: "1", line: 1 },
      { key: "B", value: "two", line: 2 },
    ]);
  });
  test("a leading BOM does not become part of the first key", () => {
    assert.deepEqual(parseEnvFile("\uFEFFA=1\nB=2"), [
      { key: "A", value: "1", line: 1 },
      { key: "B", value: "2", line: 2 },
    ]);
  });
  test("an empty file has no entries", () => assert.deepEqual(parseEnvFile(""), []));
  test("a repeated key is listed each time", () => {
    assert.deepEqual(
      parseEnvFile("A=1\nA=2").map((e) => e.value),
      ["1", "2"],
    );
  });
});

describe("applyEnvEntries", () => {
  test("real env wins: a defined key is shadowed, an undefined one applied", () => {
    const env: Record<string, string | undefined> = { MQTT_BROKER_URL: "mqtt://real:1883" };
    const result = applyEnvEntries(env, parseEnvFile("MQTT_BROKER_URL=mqtt://file:1883\nQOS=2"));
    assert.deepEqual(result, { applied: ["QOS"], shadowed: ["MQTT_BROKER_URL"] });
    assert.deepEqual(env, { MQTT_BROKER_URL: "mqtt://real:1883", QOS: "2" });
  });
  test("a key defined as an empty string in the real env still wins", () => {
    const env: Record<string, string | undefined> = { QOS: "" };
    assert.deepEqual(applyEnvEntries(env, parseEnvFile("QOS=2")), { applied: [], shadowed: ["QOS"] });
    assert.equal(env.QOS, "");
  });
  test("a key present with the value undefined counts as not defined", () => {
    const env: Record<string, string | undefined> = { QOS: undefined };
    assert.deepEqual(applyEnvEntries(env, parseEnvFile("QOS=2")).applied, ["QOS"]);
    assert.equal(env.QOS, "2");
  });
  test("every well-formed key is applied, not only the plugin's own", () => {
    const env: Record<string, string | undefined> = {};
    applyEnvEntries(env, parseEnvFile("SOMETHING_ELSE=x"));
    assert.equal(env.SOMETHING_ELSE, "x");
  });
  test("within the file the first occurrence of a key wins", () => {
    const env: Record<string, string | undefined> = {};
    const result = applyEnvEntries(env, parseEnvFile("A=1\nA=2"));
    assert.deepEqual(result, { applied: ["A"], shadowed: [] });
    assert.equal(env.A, "1");
  });
  test("inherited object properties do not count as defined", () => {
    const env: Record<string, string | undefined> = {};
    assert.deepEqual(applyEnvEntries(env, parseEnvFile("constructor=x")).applied, ["constructor"]);
    assert.equal(env.constructor, "x");
  });
  test("__proto__ becomes a variable, not the object's prototype", () => {
    const env: Record<string, string | undefined> = {};
    applyEnvEntries(env, parseEnvFile("__proto__=x"));
    assert.equal(Object.getPrototypeOf(env), Object.prototype);
    assert.deepEqual(Object.keys(env), ["__proto__"]);
  });
  test("works on process.env itself", () => {
    const key = `CLAUDE_CHANNEL_DOTENV_TEST_${process.pid}`;
    try {
      applyEnvEntries(process.env, [{ key, value: "v", line: 1 }]);
      assert.equal(process.env[key], "v");
    } finally {
      delete process.env[key];
    }
  });
});
