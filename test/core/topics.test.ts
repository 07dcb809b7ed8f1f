import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { hasWildcard, isValidPattern, matches, validatePattern, validateTopic } from "../../core/topics.js";

type Vector = readonly [pattern: string, topic: string, expected: boolean, label: string];

function check(vectors: readonly Vector[]): void {
  for (const [pattern, topic, expected, label] of vectors) {
    assert.equal(matches(pattern, topic), expected, `${label}: matches(${JSON.stringify(pattern)}, ${JSON.stringify(topic)})`);
  }
}

describe("reference vectors (claude-code-mqtt §18.1, topic cases)", () => {
  test("an exact topic pattern matches that topic", () => {
    check([
      ["claude/sessions/a/inbox", "claude/sessions/a/inbox", true, "case 2"],
      ["hello", "hello", true, "case 24"],
    ]);
  });

  test("a pattern that is neither the topic nor a filter for it does not match", () => {
    check([
      ["alice", "a/b", false, "case 23"],
      ["bob", "some/topic", false, "case 3"],
    ]);
  });

  test("# alone matches any topic", () => {
    check([["#", "any/topic/here", true, "case 4"]]);
  });

  test("a trailing # matches the rest of the levels", () => {
    check([
      ["home/#", "home/sensor/temp", true, "case 5"],
      ["home/#", "home/sensor/temp/celsius", true, "case 6"],
      ["home/#", "home/sensor", true, "case 7"],
      ["home/#", "other/sensor/temp", false, "case 8"],
      ["a/b/#", "a/b/c/d", true, "case 9"],
    ]);
  });

  test("+ matches exactly one level", () => {
    check([
      ["a/+/c", "a/b/c", true, "case 10"],
      ["a/+/c", "a/xyz/c", true, "case 11"],
      ["a/+/c", "a/b/d", false, "case 12"],
      ["a/+/c", "a/b/c/d", false, "case 13"],
      ["+/b/c", "x/b/c", true, "case 14"],
      ["a/+", "a/b", true, "case 15"],
      ["a/+", "a/b/c", false, "case 16"],
      ["+/+/c", "x/y/c", true, "case 17"],
      ["+", "hello", true, "case 25"],
      ["+", "a/b", false, "case 26"],
    ]);
  });

  test("+ and # combine", () => {
    check([
      ["a/+/#", "a/b/c/d", true, "case 18"],
      ["a/+/#", "a/b/c", true, "case 19"],
      ["+/sensor/#", "home/sensor/temp/celsius", true, "case 20"],
    ]);
  });

  test("a literal pattern needs the same number of levels", () => {
    check([
      ["a/b/c", "a/b", false, "case 21"],
      ["a/b", "a/b/c", false, "case 22"],
    ]);
  });
});

describe("derived reference results, with MQTT's answers where the reference is wrong", () => {
  test("parent/# matches the parent itself", () => {
    check([["home/#", "home", true, "derived"]]);
  });

  test("+ matches an empty level", () => {
    check([["a/+/c", "a//c", true, "derived"]]);
  });

  test("a # glued to text is invalid, matches nothing and is explained", () => {
    check([["home#", "home/x", false, "derived"], ["home#", "home#", false, "derived, same string"]]);
    assert.match(validatePattern("home#") ?? "", /"#" must fill a whole level, as in "home\/#"/);
  });

  test("a # before the last level is invalid, matches nothing and is explained", () => {
    check([["a/#/c", "a/zzz/q", false, "derived"], ["a/#/c", "a/zzz/c", false, "derived"]]);
    assert.match(validatePattern("a/#/c") ?? "", /"#" is only allowed as the last level/);
  });

  test("a leading wildcard does not match $ topics", () => {
    check([
      ["#", "$SYS/x", false, "derived"],
      ["+/broker/load", "$SYS/broker/load", false, "derived"],
    ]);
  });
});

describe("MQTT 3.1.1 §4.7 topic filter examples", () => {
  test("sport/tennis/player1/# matches the parent and every level below", () => {
    check([
      ["sport/tennis/player1/#", "sport/tennis/player1", true, "§4.7.1.2"],
      ["sport/tennis/player1/#", "sport/tennis/player1/ranking", true, "§4.7.1.2"],
      ["sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true, "§4.7.1.2"],
      ["sport/tennis/player1/#", "sport/tennis/player2", false, "sibling"],
      ["sport/#", "sport", true, "§4.7.1.2"],
    ]);
  });

  test("# must be a whole level and the last one", () => {
    assert.equal(isValidPattern("#"), true);
    assert.equal(isValidPattern("sport/tennis/#"), true);
    assert.equal(isValidPattern("sport/tennis#"), false);
    assert.equal(isValidPattern("sport/tennis/#/ranking"), false);
  });

  test("+ must be a whole level and may appear anywhere", () => {
    assert.equal(isValidPattern("+"), true);
    assert.equal(isValidPattern("+/tennis/#"), true);
    assert.equal(isValidPattern("sport/+/player1"), true);
    assert.equal(isValidPattern("sport+"), false);
    assert.match(validatePattern("sport+") ?? "", /"\+" must fill a whole level/);
  });

  test("sport/+ needs a second level, which may be empty", () => {
    check([
      ["sport/+", "sport", false, "§4.7.1.3"],
      ["sport/+", "sport/", true, "§4.7.1.3"],
    ]);
  });

  test("/finance has an empty first level", () => {
    check([
      ["+/+", "/finance", true, "§4.7.1.3"],
      ["/+", "/finance", true, "§4.7.1.3"],
      ["+", "/finance", false, "§4.7.1.3"],
    ]);
  });

  test("$SYS topics are reached only by filters that name $SYS", () => {
    check([
      ["#", "$SYS/monitor/Clients", false, "§4.7.2"],
      ["+/monitor/Clients", "$SYS/monitor/Clients", false, "§4.7.2"],
      ["$SYS/#", "$SYS/monitor/Clients", true, "§4.7.2"],
      ["$SYS/monitor/+", "$SYS/monitor/Clients", true, "§4.7.2"],
      ["$SYS/monitor/Clients", "$SYS/monitor/Clients", true, "exact"],
    ]);
  });

  test("$ only matters in the first level", () => {
    check([
      ["a/#", "a/$SYS", true, "$ deeper down"],
      ["+/+", "a/$b", true, "$ deeper down"],
      ["#", "a$/x", true, "$ not first character"],
    ]);
  });
});

describe("byte-level rules", () => {
  test("matching is case-sensitive", () => {
    check([
      ["Home/Kitchen", "home/kitchen", false, "case"],
      ["home/+", "HOME/kitchen", false, "case"],
      ["home/+", "home/Kitchen", true, "case"],
    ]);
  });

  test("the empty string is neither a pattern nor a topic", () => {
    assert.match(validatePattern("") ?? "", /pattern is empty/);
    assert.match(validateTopic("") ?? "", /topic is empty/);
    check([["#", "", false, "empty topic"], ["", "", false, "empty both"], ["", "a", false, "empty pattern"]]);
  });

  test("a NUL character makes a pattern or topic invalid", () => {
    assert.match(validatePattern("a/\u0000") ?? "", /NUL/);
    assert.match(validateTopic("a\u0000b") ?? "", /NUL/);
    check([["#", "a/\u0000", false, "NUL topic"], ["a\u0000", "a\u0000", false, "NUL both"]]);
  });

  test("65,535 bytes is the longest pattern or topic", () => {
    const longest = "a".repeat(65_535);
    const tooLong = "a".repeat(65_536);
    assert.equal(validateTopic(longest), undefined);
    assert.equal(validatePattern(longest), undefined);
    assert.match(validateTopic(tooLong) ?? "", /longer than 65535 bytes/);
    assert.match(validatePattern(tooLong) ?? "", /longer than 65535 bytes/);
    check([
      ["#", longest, true, "longest topic"],
      [longest, longest, true, "longest exact"],
      ["#", tooLong, false, "topic too long"],
      [tooLong, tooLong, false, "both too long"],
    ]);
  });

  test("the length limit counts UTF-8 bytes, not characters", () => {
    const euros = "€".repeat(21_846); // 3 bytes each: 65,538 bytes in 21,846 characters
    assert.match(validateTopic(euros) ?? "", /longer than/);
    check([["#", euros, false, "multi-byte too long"], ["+/€", "x/€", true, "multi-byte level"]]);
  });
});

describe("topic names", () => {
  test("validateTopic refuses wildcards and accepts concrete topics", () => {
    assert.equal(validateTopic("home/kitchen/temp"), undefined);
    assert.equal(validateTopic("/"), undefined);
    assert.equal(validateTopic("$SYS/broker"), undefined);
    for (const topic of ["+", "#", "home/+", "home/#", "a+b", "a#"]) {
      assert.match(validateTopic(topic) ?? "", /wildcard/, topic);
    }
  });

  test("a string holding a wildcard is never matched as a topic", () => {
    check([
      ["+", "#", false, "wildcard topic"],
      ["#", "a/+", false, "wildcard topic"],
      ["a/+", "a/+", false, "filter equal to itself"],
      ["a/+", "a/#", false, "wildcard topic"],
    ]);
  });

  test("hasWildcard spots + and # anywhere", () => {
    assert.equal(hasWildcard("a/b"), false);
    assert.equal(hasWildcard("a/+"), true);
    assert.equal(hasWildcard("a#"), true);
  });
});

describe("topics and filters as brokers accept them", () => {
  test("a lone surrogate, a control character or a non-character is refused with its code point", () => {
    assert.match(validatePattern("a/\uD800/b") ?? "", /lone surrogate U\+D800/);
    assert.match(validateTopic("a/\uDC00") ?? "", /lone surrogate U\+DC00/);
    assert.match(validatePattern("a\u0001b") ?? "", /control character U\+0001/);
    assert.match(validateTopic("a\u0085") ?? "", /control character U\+0085/);
    assert.match(validatePattern("a\uFFFF") ?? "", /non-character U\+FFFF/);
    assert.match(validatePattern("a\u{1FFFE}") ?? "", /non-character U\+1FFFE/);
    assert.match(validatePattern("a\u0000") ?? "", /NUL/);
  });

  test("paired surrogates and other Unicode are accepted", () => {
    assert.equal(validatePattern("home/küche/😀/+"), undefined);
    assert.equal(validateTopic("a/\u{10000}/\uFFFD"), undefined);
  });

  test("200 levels are accepted, 201 refused", () => {
    assert.equal(validatePattern(Array(200).fill("a").join("/")), undefined);
    assert.match(validatePattern(Array(201).fill("a").join("/")) ?? "", /more than 200 levels/);
    assert.match(validateTopic(`${"/".repeat(200)}`) ?? "", /more than 200 levels/);
  });

  test("a message about a long pattern is cut to a readable length", () => {
    const problem = validatePattern(`${"x".repeat(5000)}\u0001`) ?? "";
    assert.ok(problem.length < 300, problem);
  });
});
