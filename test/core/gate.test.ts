import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Gate, type GateLists } from "../../core/gate.js";
import { PatternError } from "../../core/pattern-index.js";

function lists(partial: Partial<GateLists>): GateLists {
  return { admitted: [], watched: [], muted: [], ...partial };
}

describe("reference vectors (claude-code-mqtt §18.1, sender cases)", () => {
  test("an admitted sender name admits its message on any topic", () => {
    const gate = new Gate(lists({ admitted: ["alice"] }));
    assert.deepEqual(gate.classify("some/topic", "alice"), { tier: "admitted", pattern: "alice" }); // case 1
  });

  test("a message from another sender is not admitted by that name", () => {
    const gate = new Gate(lists({ admitted: ["bob"] }));
    assert.deepEqual(gate.classify("some/topic", "alice"), { tier: "dropped", reason: "unmatched" }); // case 3
  });

  test("an empty sender is not admitted by a name", () => {
    const gate = new Gate(lists({ admitted: ["alice"] }));
    assert.deepEqual(gate.classify("a/b", ""), { tier: "dropped", reason: "unmatched" }); // case 23
  });

  test("an admitted exact topic admits whatever the sender", () => {
    const gate = new Gate(lists({ admitted: ["claude/sessions/a/inbox"] }));
    assert.deepEqual(gate.classify("claude/sessions/a/inbox", "bob"), { tier: "admitted", pattern: "claude/sessions/a/inbox" }); // case 2
  });
});

describe("precedence", () => {
  test("mute beats admit beats watch", () => {
    const gate = new Gate(lists({ admitted: ["home/#"], watched: ["home/+"], muted: ["home/noisy"] }));
    assert.deepEqual(gate.classify("home/noisy", "x"), { tier: "dropped", reason: "muted", pattern: "home/noisy" });
    assert.deepEqual(gate.classify("home/hall", "x"), { tier: "admitted", pattern: "home/#" });
    gate.delete("admitted", "home/#");
    assert.deepEqual(gate.classify("home/hall", "x"), { tier: "watched", pattern: "home/+" });
  });

  test("a muted sender is dropped on an admitted topic", () => {
    const gate = new Gate(lists({ admitted: ["home/#"], muted: ["mallory"] }));
    assert.deepEqual(gate.classify("home/door", "mallory"), { tier: "dropped", reason: "muted", pattern: "mallory" });
    assert.deepEqual(gate.classify("home/door", "alice"), { tier: "admitted", pattern: "home/#" });
  });

  test("a muted topic drops an admitted sender", () => {
    const gate = new Gate(lists({ admitted: ["alice"], muted: ["spam/#"] }));
    assert.deepEqual(gate.classify("spam/x", "alice"), { tier: "dropped", reason: "muted", pattern: "spam/#" });
  });

  test("a watched sender on an unlisted topic is watched", () => {
    const gate = new Gate(lists({ watched: ["sensor-bot"] }));
    assert.deepEqual(gate.classify("anything", "sensor-bot"), { tier: "watched", pattern: "sensor-bot" });
  });

  test("nothing matched is dropped as unmatched, without a pattern", () => {
    const gate = new Gate(lists({ admitted: ["a/#"], watched: ["b/#"], muted: ["c/#"] }));
    const decision = gate.classify("d/x", "x");
    assert.deepEqual(decision, { tier: "dropped", reason: "unmatched" });
    assert.equal("pattern" in decision, false);
  });

  test("the decision names the deciding pattern: sender, then exact topic, then first filter", () => {
    const gate = new Gate(lists({ admitted: ["#", "home/+", "home/door", "alice"] }));
    assert.deepEqual(gate.classify("home/door", "alice"), { tier: "admitted", pattern: "alice" });
    assert.deepEqual(gate.classify("home/door", "bob"), { tier: "admitted", pattern: "home/door" });
    assert.deepEqual(gate.classify("home/hall", "bob"), { tier: "admitted", pattern: "#" });
  });
});

describe("own echo", () => {
  test("a message claiming our own name is dropped as an echo, before mute and admit", () => {
    const gate = new Gate(lists({ admitted: ["#", "me"], muted: ["home/#"] }), "me");
    assert.deepEqual(gate.classify("home/x", "me"), { tier: "dropped", reason: "echo" });
    assert.deepEqual(gate.classify("other", "me"), { tier: "dropped", reason: "echo" });
    assert.deepEqual(gate.classify("other", "you"), { tier: "admitted", pattern: "#" });
  });

  test("without an own name there is no echo", () => {
    const gate = new Gate(lists({ admitted: ["me"] }));
    assert.deepEqual(gate.classify("x", "me"), { tier: "admitted", pattern: "me" });
    const unnamed = new Gate(lists({ admitted: ["#"] }), "");
    assert.deepEqual(unnamed.classify("x", ""), { tier: "admitted", pattern: "#" });
  });

  test("a session named unknown still receives plain-text messages", () => {
    const gate = new Gate(lists({ admitted: ["home/#"] }), "unknown");
    assert.deepEqual(gate.classify("home/x", undefined), { tier: "admitted", pattern: "home/#" });
    assert.deepEqual(gate.classify("home/x", "unknown"), { tier: "dropped", reason: "echo" });
  });

  test("an undefined sender matches no name in any list", () => {
    const gate = new Gate(lists({ admitted: ["unknown"], muted: ["unknown"] }));
    assert.deepEqual(gate.classify("t", undefined), { tier: "dropped", reason: "unmatched" });
  });
});

describe("MQTT rules the reference got wrong", () => {
  test("# and a leading + do not admit $ topics", () => {
    const gate = new Gate(lists({ admitted: ["#", "+/broker/load"], watched: ["$SYS/broker/#"] }));
    assert.deepEqual(gate.classify("$SYS/broker/load", "x"), { tier: "watched", pattern: "$SYS/broker/#" });
    assert.deepEqual(gate.classify("$SYS/other", "x"), { tier: "dropped", reason: "unmatched" });
  });

  test("a # before the last level is refused, not treated as a catch-all", () => {
    assert.throws(
      () => new Gate(lists({ admitted: ["a/#/c"] })),
      (err: unknown) => err instanceof PatternError && err.pattern === "a/#/c" && /last level/.test(err.message),
    );
  });
});

describe("lists", () => {
  test("the constructor refuses an invalid pattern in any list and names it", () => {
    for (const name of ["admitted", "watched", "muted"] as const) {
      assert.throws(
        () => new Gate(lists({ [name]: ["fine/#", "home#"] })),
        (err: unknown) => err instanceof PatternError && err.pattern === "home#" && err.message.includes('"home#"'),
        name,
      );
    }
  });

  test("add, delete and has act on one list only", () => {
    const gate = new Gate(lists({}));
    assert.equal(gate.add("watched", "home/#"), true);
    assert.equal(gate.add("watched", "home/#"), false);
    assert.equal(gate.has("watched", "home/#"), true);
    assert.equal(gate.has("admitted", "home/#"), false);
    assert.deepEqual(gate.classify("home/x", undefined), { tier: "watched", pattern: "home/#" });
    assert.equal(gate.add("muted", "home/#"), true);
    assert.deepEqual(gate.classify("home/x", undefined), { tier: "dropped", reason: "muted", pattern: "home/#" });
    assert.equal(gate.delete("muted", "home/#"), true);
    assert.equal(gate.delete("muted", "home/#"), false);
    assert.deepEqual(gate.classify("home/x", undefined), { tier: "watched", pattern: "home/#" });
    assert.equal(gate.delete("watched", "home/#"), true);
    assert.deepEqual(gate.classify("home/x", undefined), { tier: "dropped", reason: "unmatched" });
  });

  test("add throws PatternError for an invalid pattern and changes nothing", () => {
    const gate = new Gate(lists({ admitted: ["a"] }));
    assert.throws(() => gate.add("admitted", "sport+"), PatternError);
    assert.deepEqual(gate.snapshot(), { admitted: ["a"], watched: [], muted: [] });
  });

  test("snapshot returns copies in insertion order", () => {
    const gate = new Gate(lists({ admitted: ["b", "a"], watched: ["w"], muted: ["m", "m"] }));
    const snap = gate.snapshot();
    assert.deepEqual(snap, { admitted: ["b", "a"], watched: ["w"], muted: ["m"] });
    snap.admitted.push("z");
    assert.equal(gate.has("admitted", "z"), false);
  });

  test("index exposes the list's PatternIndex, and changes through it reach classify", () => {
    const gate = new Gate(lists({}));
    gate.index("admitted").add("x/+");
    assert.equal(gate.has("admitted", "x/+"), true);
    assert.deepEqual(gate.classify("x/y", undefined), { tier: "admitted", pattern: "x/+" });
  });
});

describe("decisions remembered per topic", () => {
  test("a topic decided before is decided afresh after any list changes, through the gate or an index", () => {
    const gate = new Gate(lists({ watched: ["x/#"] }));
    assert.deepEqual(gate.classify("x/y", undefined), { tier: "watched", pattern: "x/#" });
    gate.index("admitted").add("x/+");
    assert.deepEqual(gate.classify("x/y", undefined), { tier: "admitted", pattern: "x/+" });
    gate.add("muted", "x/y");
    assert.deepEqual(gate.classify("x/y", undefined), { tier: "dropped", reason: "muted", pattern: "x/y" });
    gate.index("muted").delete("x/y");
    assert.deepEqual(gate.classify("x/y", undefined), { tier: "admitted", pattern: "x/+" });
  });

  test("a listed sender still decides on a topic remembered without one", () => {
    const gate = new Gate(lists({ admitted: ["carol"], watched: ["t/#", "dave"], muted: ["eve"] }));
    assert.deepEqual(gate.classify("t/1", undefined), { tier: "watched", pattern: "t/#" });
    assert.deepEqual(gate.classify("t/1", "carol"), { tier: "admitted", pattern: "carol" });
    assert.deepEqual(gate.classify("t/1", "dave"), { tier: "watched", pattern: "dave" });
    assert.deepEqual(gate.classify("t/1", "eve"), { tier: "dropped", reason: "muted", pattern: "eve" });
    assert.deepEqual(gate.classify("t/1", "zed"), { tier: "watched", pattern: "t/#" });
    assert.deepEqual(gate.classify("u", "dave"), { tier: "watched", pattern: "dave" });
  });

  test("more topics than are remembered all decide as their lists say", () => {
    const gate = new Gate(lists({ admitted: ["n/+/even"], watched: ["n/#"] }));
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 40_000; i += 7) {
        const leaf = i % 2 === 0 ? "even" : "odd";
        const expected = i % 2 === 0 ? { tier: "admitted", pattern: "n/+/even" } : { tier: "watched", pattern: "n/#" };
        assert.deepEqual(gate.classify(`n/${i}/${leaf}`, undefined), expected);
      }
    }
  });
});

describe("lists sharing one store", () => {
  test("a pattern in two lists answers for each, and leaving one list leaves the other", () => {
    const gate = new Gate(lists({ admitted: ["home/+", "bob"], muted: ["home/+", "bob"] }));
    assert.deepEqual(gate.classify("home/hall", undefined), { tier: "dropped", reason: "muted", pattern: "home/+" });
    assert.deepEqual(gate.classify("x", "bob"), { tier: "dropped", reason: "muted", pattern: "bob" });
    gate.delete("muted", "home/+");
    gate.delete("muted", "bob");
    assert.deepEqual(gate.classify("home/hall", undefined), { tier: "admitted", pattern: "home/+" });
    assert.deepEqual(gate.classify("x", "bob"), { tier: "admitted", pattern: "bob" });
    assert.equal(gate.index("muted").match("home/hall"), undefined);
    assert.deepEqual(gate.index("admitted").matchingTopic("home/hall"), ["home/+"]);
  });

  test("a muted filter beats an admitted name, and an admitted filter beats a watched name", () => {
    const gate = new Gate(lists({ admitted: ["a/b", "carol", "w/#"], watched: ["w/x"], muted: ["a/+"] }));
    assert.deepEqual(gate.classify("a/b", "carol"), { tier: "dropped", reason: "muted", pattern: "a/+" });
    assert.deepEqual(gate.classify("w/x", undefined), { tier: "admitted", pattern: "w/#" });
  });
});

describe("scale", () => {
  test("10,000 patterns per list classify correctly and quickly", () => {
    const admitted: string[] = [];
    const watched: string[] = [];
    const muted: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      admitted.push(`site/${i}/+/temp`);
      watched.push(`site/${i}/#`);
      muted.push(i % 2 === 0 ? `site/${i}/noisy/+` : `bot-${i}`);
    }
    const gate = new Gate({ admitted, watched, muted }, "me");
    assert.deepEqual(gate.classify("site/42/kitchen/temp", "x"), { tier: "admitted", pattern: "site/42/+/temp" });
    assert.deepEqual(gate.classify("site/42/noisy/temp", "x"), { tier: "dropped", reason: "muted", pattern: "site/42/noisy/+" });
    assert.deepEqual(gate.classify("site/43/kitchen/temp", "bot-43"), { tier: "dropped", reason: "muted", pattern: "bot-43" });
    assert.deepEqual(gate.classify("site/9999/door", "x"), { tier: "watched", pattern: "site/9999/#" });
    assert.deepEqual(gate.classify("site/10000/door", "x"), { tier: "dropped", reason: "unmatched" });
  });
});
