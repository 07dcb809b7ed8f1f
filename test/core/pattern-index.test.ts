import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PatternError, PatternIndex, PatternStore } from "../../core/pattern-index.js";
import { hasWildcard, isValidPattern, matches, validatePattern } from "../../core/topics.js";

/** Small seeded PRNG (mulberry32) so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pattern levels: every wildcard placement, valid or not. */
const PATTERN_LEVELS = ["", "", "a", "a", "b", "c", "$SYS", "$", "a$", "+", "+", "#", "#", "a+", "#b", "\u0000"];
/** Topic levels: mostly concrete, with the odd wildcard or NUL (never a valid topic). */
const TOPIC_LEVELS = ["", "", "a", "a", "a", "b", "b", "c", "$SYS", "$SYS", "$", "a$", "€", "", "a", "b", "+", "#", "\u0000"];

function generator(seed: number, levels: readonly string[]): () => string {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return () => {
    const depth = 1 + Math.floor(next() * 5);
    return Array.from({ length: depth }, () => pick(levels)).join("/");
  };
}

describe("reference vectors (claude-code-mqtt §18.1, sender cases)", () => {
  test("a pattern equal to the sender matches on any topic", () => {
    assert.equal(new PatternIndex(["alice"]).match("some/topic", "alice"), "alice"); // case 1
  });

  test("a pattern naming another sender does not match", () => {
    assert.equal(new PatternIndex(["bob"]).match("some/topic", "alice"), undefined); // case 3
  });

  test("an empty sender matches no name", () => {
    assert.equal(new PatternIndex(["alice"]).match("a/b", ""), undefined); // case 23
  });

  test("an exact topic pattern matches whatever the sender", () => {
    assert.equal(new PatternIndex(["claude/sessions/a/inbox"]).match("claude/sessions/a/inbox", "bob"), "claude/sessions/a/inbox"); // case 2
  });
});

describe("match", () => {
  test("the sender decides before the exact topic, which decides before a filter", () => {
    const index = new PatternIndex(["#", "home/kitchen", "alice"]);
    assert.equal(index.match("home/kitchen", "alice"), "alice");
    assert.equal(index.match("home/kitchen", "bob"), "home/kitchen");
    assert.equal(index.match("home/hall", "bob"), "#");
  });

  test("among matching filters the one added first decides", () => {
    const index = new PatternIndex(["home/+/temp", "#", "home/#"]);
    assert.equal(index.match("home/kitchen/temp"), "home/+/temp");
    index.delete("home/+/temp");
    assert.equal(index.match("home/kitchen/temp"), "#");
    index.add("home/+/temp");
    assert.equal(index.match("home/kitchen/temp"), "#");
  });

  test("an undefined sender matches no pattern, not even one spelled unknown", () => {
    const index = new PatternIndex(["unknown"]);
    assert.equal(index.match("some/topic", undefined), undefined);
    assert.equal(index.match("some/topic"), undefined);
    assert.equal(index.match("some/topic", "unknown"), "unknown");
  });

  test("wildcards never apply to sender names", () => {
    const index = new PatternIndex(["+", "#", "al/+"]);
    assert.equal(index.match("$SYS/x", "alice"), undefined);
    assert.equal(index.match("$SYS/x", "+"), undefined);
    assert.equal(index.match("$SYS/x", "#"), undefined);
  });

  test("a sender name is not read as a topic", () => {
    const index = new PatternIndex(["home/+"]);
    assert.equal(index.match("other", "home/x"), undefined);
  });

  test("# and a leading + do not reach $ topics, a $ filter does", () => {
    const index = new PatternIndex(["#", "+/broker/load"]);
    assert.equal(index.match("$SYS/broker/load"), undefined);
    index.add("$SYS/#");
    assert.equal(index.match("$SYS/broker/load"), "$SYS/#");
  });

  test("a/# matches a, and + matches an empty level", () => {
    const index = new PatternIndex(["a/#", "x/+/z"]);
    assert.equal(index.match("a"), "a/#");
    assert.equal(index.match("x//z"), "x/+/z");
    assert.equal(index.match("x/z"), undefined);
  });

  test("a topic holding a wildcard matches nothing, not even an equal filter", () => {
    const index = new PatternIndex(["#", "a/+"]);
    assert.equal(index.match("a/+"), undefined);
    assert.deepEqual(index.matchingTopic("a/+"), []);
  });

  test("a topic of 65,535 levels still matches", () => {
    const topic = "/".repeat(65_534);
    const index = new PatternIndex(["#", "+/#"]);
    assert.deepEqual(index.matchingTopic(topic), ["#", "+/#"]);
  });

  test("filters of the most levels brokers accept match like shallow ones", () => {
    const deep = Array.from({ length: 199 }, (_, i) => (i % 7 === 3 ? "+" : "a")).join("/");
    const topic = deep.replaceAll("+", "q");
    const index = new PatternIndex([deep, `${deep}/#`, "a/#"]);
    assert.deepEqual(index.matchingTopic(topic), [deep, `${deep}/#`, "a/#"]);
    assert.equal(index.match(topic), deep);
    assert.deepEqual(index.matchingTopic(`${topic}/more`), [`${deep}/#`, "a/#"]);
    assert.equal(index.delete(deep), true);
    assert.deepEqual(index.matchingTopic(topic), [`${deep}/#`, "a/#"]);
  });

  test("a 32,768-level filter is refused with the level limit, and deep topics still match", () => {
    const deepest = Array.from({ length: 32_768 }, () => "+").join("/");
    assert.throws(() => new PatternIndex([deepest]), /more than 200 levels/);
    const index = new PatternIndex(["a/#"]);
    assert.equal(index.match("a/".repeat(32_767) + "a"), "a/#");
  });
});

describe("set operations", () => {
  test("add reports whether the pattern was new, delete whether it was there", () => {
    const index = new PatternIndex();
    assert.equal(index.add("home/#"), true);
    assert.equal(index.add("home/#"), false);
    assert.equal(index.size, 1);
    assert.equal(index.has("home/#"), true);
    assert.equal(index.delete("home/#"), true);
    assert.equal(index.delete("home/#"), false);
    assert.equal(index.has("home/#"), false);
    assert.equal(index.size, 0);
    assert.equal(index.match("home/x"), undefined);
  });

  test("list keeps insertion order, and a re-added pattern goes last", () => {
    const index = new PatternIndex(["b", "a/#", "+", "b"]);
    assert.deepEqual(index.list(), ["b", "a/#", "+"]);
    index.delete("b");
    index.add("b");
    assert.deepEqual(index.list(), ["a/#", "+", "b"]);
  });

  test("matchingTopic lists every matching pattern in insertion order", () => {
    const index = new PatternIndex(["home/+", "alice", "#", "home/kitchen", "home/#", "other/#"]);
    assert.deepEqual(index.matchingTopic("home/kitchen"), ["home/+", "#", "home/kitchen", "home/#"]);
  });

  test("an invalid pattern throws a PatternError with validatePattern's text", () => {
    for (const bad of ["", "home#", "a/#/b", "sport+", "a\u0000", "x".repeat(65_536)]) {
      assert.throws(
        () => new PatternIndex().add(bad),
        (err: unknown) => err instanceof PatternError && err.pattern === bad && err.message === validatePattern(bad),
        JSON.stringify(bad.slice(0, 20)),
      );
    }
  });

  test("the constructor throws on the first invalid pattern", () => {
    assert.throws(
      () => new PatternIndex(["ok/#", "bad#", "a/#/b"]),
      (err: unknown) => err instanceof PatternError && err.pattern === "bad#",
    );
  });

  test("a rejected pattern leaves the index unchanged", () => {
    const index = new PatternIndex(["a"]);
    assert.throws(() => index.add("b#"), PatternError);
    assert.deepEqual(index.list(), ["a"]);
    assert.equal(index.match("b#"), undefined);
  });
});

describe("shared store", () => {
  test("indexes sharing a store answer only for their own slot", () => {
    const store = new PatternStore(2);
    const first = new PatternIndex(["a/#", "alice", "x/y"], { store, slot: 0 });
    const second = new PatternIndex(["a/+", "x/y"], { store, slot: 1 });
    assert.equal(first.match("a/b", "alice"), "alice");
    assert.equal(second.match("a/b", "alice"), "a/+");
    assert.deepEqual(first.matchingTopic("a/b"), ["a/#"]);
    assert.deepEqual(second.matchingTopic("a/b"), ["a/+"]);
    first.delete("x/y");
    assert.equal(first.match("x/y"), undefined);
    assert.equal(second.match("x/y"), "x/y");
    second.delete("a/+");
    assert.equal(second.match("a/b"), undefined);
    assert.equal(first.match("a/b"), "a/#");
  });

  test("a slot outside the store is refused", () => {
    assert.throws(() => new PatternIndex([], { store: new PatternStore(2), slot: 2 }), RangeError);
    assert.throws(() => new PatternStore(31), RangeError);
  });
});

describe("agreement with matches()", () => {
  test("matchingTopic equals a filter over matches() for generated patterns and topics", () => {
    let comparisons = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const pattern = generator(seed, PATTERN_LEVELS);
      const topic = generator(seed + 1_000, TOPIC_LEVELS);
      const index = new PatternIndex();
      const inserted: string[] = [];
      for (let i = 0; i < 150; i++) {
        const p = pattern();
        if (isValidPattern(p)) {
          assert.equal(index.add(p), !inserted.includes(p), `seed ${seed}: add ${JSON.stringify(p)}`);
          if (!inserted.includes(p)) inserted.push(p);
        } else {
          assert.throws(() => index.add(p), PatternError, `seed ${seed}: ${JSON.stringify(p)}`);
        }
      }
      const compare = (phase: string): void => {
        assert.deepEqual(index.list(), inserted, `seed ${seed} ${phase}: list`);
        for (let i = 0; i < 150; i++) {
          const t = topic();
          const expected = inserted.filter((p) => matches(p, t));
          const label = `seed ${seed} ${phase}: topic ${JSON.stringify(t)}`;
          assert.deepEqual(index.matchingTopic(t), expected, label);
          const decider = index.match(t);
          if (expected.length === 0) assert.equal(decider, undefined, label);
          else assert.equal(decider, inserted.includes(t) ? t : expected[0], label);
          const sender = i % 3 === 0 && inserted.length > 0 ? inserted[i % inserted.length]! : topic();
          const named = inserted.includes(sender) && !hasWildcard(sender);
          assert.equal(index.match(t, sender), named ? sender : decider, `${label}, sender ${JSON.stringify(sender)}`);
          comparisons++;
        }
      };
      compare("after adds");
      for (const p of [...inserted]) {
        if (p.length % 2 === 0) {
          assert.equal(index.delete(p), true);
          inserted.splice(inserted.indexOf(p), 1);
        }
      }
      compare("after deletes");
    }
    assert.ok(comparisons >= 10_000, `only ${comparisons} comparisons`);
  });
});

describe("scale", () => {
  test("10,000 patterns answer each topic correctly", () => {
    const patterns: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      patterns.push(i % 3 === 0 ? `site/${i}/+/temp` : i % 3 === 1 ? `site/${i}/#` : `site/${i}/door`);
    }
    const index = new PatternIndex(patterns);
    assert.equal(index.size, 10_000);
    assert.deepEqual(index.matchingTopic("site/9999/x/temp"), ["site/9999/+/temp"]);
    assert.deepEqual(index.matchingTopic("site/9997/a/b"), ["site/9997/#"]);
    assert.equal(index.match("site/9998/door"), "site/9998/door");
    assert.equal(index.match("site/9999/door"), undefined);
    assert.equal(index.match("site/10000/door"), undefined);
  });
});
