import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseSessionConfig, type SessionNodeDef } from "../../nodes/claude-session/config.js";

function def(properties: Record<string, unknown>): SessionNodeDef {
  return { id: "s1", type: "claude-session", z: "", name: "kitchen", broker: "mqtt://localhost:1883", ...properties } as SessionNodeDef;
}

describe("claude-session properties", () => {
  test("blank properties take the defaults; numbers may be digit strings, as the editor stores them", () => {
    const parsed = parseSessionConfig(def({ prefix: "", qos: "2", heartbeat: "30", bufferMaxAge: "", bufferMaxPerTopic: "", tls: "" }));
    assert.deepEqual(parsed, {
      ok: true,
      config: {
        name: "kitchen",
        broker: "mqtt://localhost:1883",
        prefix: "claude",
        qos: 2,
        heartbeat: 30,
        keepalive: 60,
        sessionExpiry: 3600,
        pacing: { intervalSeconds: 5, perMinute: 30 },
        pinned: { admitted: [], watched: [], muted: [] },
        publishPermissions: { allow: [], deny: [] },
      },
    });
  });

  test("the owner's lists, buffer limits and TLS node are kept as given", () => {
    const parsed = parseSessionConfig(
      def({ admitted: ["home/#"], watched: ["garden/+"], muted: ["bob"], bufferMaxAge: 90.5, bufferMaxPerTopic: "7", tls: "t1", qos: 0 }),
    );
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.config.pinned, { admitted: ["home/#"], watched: ["garden/+"], muted: ["bob"] });
    assert.deepEqual([parsed.config.bufferMaxAge, parsed.config.bufferMaxPerTopic, parsed.config.tls, parsed.config.qos], [90.5, 7, "t1", 0]);
  });

  test("the owner's publish permissions are kept as given; an invalid filter is reported", () => {
    const parsed = parseSessionConfig(def({ publishAllow: ["home/commands/#"], publishDeny: ["home/commands/lock/#"] }));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.config.publishPermissions, { allow: ["home/commands/#"], deny: ["home/commands/lock/#"] });
    const bad = parseSessionConfig(def({ publishDeny: ["a/#/b"] }));
    assert.ok(!bad.ok);
    assert.match(bad.problems.join("\n"), /^publishDeny: .*#/m);
  });

  test("the owner's pacing bounds are read, 0 switching each off", () => {
    const parsed = parseSessionConfig(def({ coalesceInterval: "0", notifyPerMinute: 120 }));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.config.pacing, { intervalSeconds: 0, perMinute: 120 });
    const bad = parseSessionConfig(def({ coalesceInterval: 3601, notifyPerMinute: "1.5" }));
    assert.ok(!bad.ok);
    assert.match(bad.problems.join("\n"), /coalesceInterval: .*from 0 to 3600/);
    assert.match(bad.problems.join("\n"), /notifyPerMinute: .*whole number/);
  });

  test("every bad property is reported, each naming the property and what it accepts", () => {
    const parsed = parseSessionConfig(
      def({ name: "a b", broker: "localhost", qos: 3, heartbeat: "1.5", bufferMaxPerTopic: 0, muted: ["x/#/y"], watched: [5], prefix: "$SYS" }),
    );
    assert.ok(!parsed.ok);
    const byProperty = new Map(parsed.problems.map((p) => [p.slice(0, p.indexOf(":")), p]));
    assert.deepEqual([...byProperty.keys()].sort(), ["broker", "bufferMaxPerTopic", "heartbeat", "muted", "name", "prefix", "qos", "watched"].sort());
    assert.match(byProperty.get("name")!, /contains " "/);
    assert.match(byProperty.get("broker")!, /accepted: a URL such as mqtt:\/\/host:1883/);
    assert.match(byProperty.get("qos")!, /accepted: 0, 1 or 2/);
    assert.match(byProperty.get("heartbeat")!, /not a whole number/);
    assert.match(byProperty.get("muted")!, /"#" is only allowed as the last level/);
    assert.match(byProperty.get("prefix")!, /starts with "\$"/);
    assert.match(byProperty.get("watched")!, /item 1 is 5, not text; accepted: MQTT topic filters/);
  });
});
