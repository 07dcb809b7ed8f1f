import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, parseSettings, redactUrl, resolveStateDir, type SettingsProblem } from "../../core/settings.js";

const HOME = join("/", "home", "ada");
type Env = Record<string, string | undefined>;

function problems(env: Env): SettingsProblem[] {
  try {
    parseSettings(env, HOME);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

function onlyProblem(env: Env): SettingsProblem {
  const found = problems(env);
  assert.equal(found.length, 1, JSON.stringify(found));
  return found[0]!;
}

describe("parseSettings: defaults when nothing is set", () => {
  test("every setting takes the reference's default (or ours for new ones)", () => {
    const { settings, warnings } = parseSettings({}, HOME);
    assert.deepEqual(settings, {
      stateDir: join(HOME, ".claude", "channels", "mqtt"),
      brokerUrl: "mqtt://localhost:1883",
      sessionName: "default",
      topicPrefix: "claude",
      qos: 1,
      heartbeatSeconds: 60,
      keepaliveSeconds: 60,
      sessionExpirySeconds: 3600,
      requestTimeoutSeconds: 120,
      maxPayloadBytes: 262144,
      maxPendingRequests: 50,
      bufferMaxBytes: 16777216,
      coalesceIntervalSeconds: 5,
      notifyPerMinute: 30,
      sessionHost: "auto",
      takebackSeconds: 60,
      rejectUnauthorized: true,
      publishAllow: [],
      publishDeny: [],
    });
    assert.deepEqual(warnings, []);
  });
  test("optional settings are absent, not undefined-valued keys", () => {
    const { settings } = parseSettings({}, HOME);
    for (const key of ["username", "password", "caFile", "certFile", "keyFile", "linkKey"]) {
      assert.equal(Object.hasOwn(settings, key), false, key);
    }
  });
  test("unrelated variables are ignored", () => {
    assert.doesNotThrow(() => parseSettings({ PATH: "/bin", QOS_EXTRA: "x" }, HOME));
  });
});

describe("parseSettings: good values", () => {
  test("each variable is read into its setting", () => {
    const { settings } = parseSettings(
      {
        MQTT_STATE_DIR: "/srv/claude",
        MQTT_BROKER_URL: "mqtts://user:pw@broker.lan:8883",
        MQTT_USERNAME: "alice",
        MQTT_PASSWORD: " s3cret ",
        SESSION_NAME: "kitchen",
        MQTT_TOPIC_PREFIX: "home/claude",
        QOS: "2",
        HEARTBEAT_INTERVAL: "30",
        MQTT_REQUEST_TIMEOUT: "600",
        MQTT_MAX_PAYLOAD_BYTES: "1024",
        MQTT_MAX_PENDING_REQUESTS: "1",
        MQTT_BUFFER_MAX_BYTES: "65536",
        MQTT_COALESCE_INTERVAL: "0",
        MQTT_NOTIFY_MAX_PER_MINUTE: "120",
        SESSION_HOST: "bridge",
        MQTT_CA_FILE: "/etc/ca.pem",
        MQTT_CERT_FILE: "/etc/c.pem",
        MQTT_KEY_FILE: "/etc/k.pem",
        MQTT_REJECT_UNAUTHORIZED: "no",
        SESSION_LINK_KEY: "k".repeat(32),
        MQTT_KEEPALIVE: "15",
        MQTT_SESSION_EXPIRY: "0",
        SESSION_TAKEBACK_AFTER: "0",
      },
      HOME,
    );
    assert.deepEqual(settings, {
      stateDir: "/srv/claude",
      brokerUrl: "mqtts://user:pw@broker.lan:8883",
      username: "alice",
      password: " s3cret ",
      sessionName: "kitchen",
      topicPrefix: "home/claude",
      qos: 2,
      heartbeatSeconds: 30,
      keepaliveSeconds: 15,
      sessionExpirySeconds: 0,
      requestTimeoutSeconds: 600,
      maxPayloadBytes: 1024,
      maxPendingRequests: 1,
      bufferMaxBytes: 65536,
      coalesceIntervalSeconds: 0,
      notifyPerMinute: 120,
      sessionHost: "bridge",
      takebackSeconds: 0,
      caFile: "/etc/ca.pem",
      certFile: "/etc/c.pem",
      keyFile: "/etc/k.pem",
      rejectUnauthorized: false,
      linkKey: "k".repeat(32),
      publishAllow: [],
      publishDeny: [],
    });
  });
  test("QOS 0 is accepted", () => assert.equal(parseSettings({ QOS: "0" }, HOME).settings.qos, 0));
  test("integers may be surrounded by whitespace and carry leading zeros", () => {
    const { settings } = parseSettings({ HEARTBEAT_INTERVAL: " 015 ", QOS: "\t2\n" }, HOME);
    assert.equal(settings.heartbeatSeconds, 15);
    assert.equal(settings.qos, 2);
  });
  test("every accepted broker protocol is accepted", () => {
    for (const protocol of ["mqtt", "mqtts", "ws", "wss", "tcp", "ssl"]) {
      const url = `${protocol}://broker.lan:1234/mqtt`;
      assert.equal(parseSettings({ MQTT_BROKER_URL: url }, HOME).settings.brokerUrl, url);
    }
  });
  test("a broker URL without a port is accepted", () => {
    assert.equal(parseSettings({ MQTT_BROKER_URL: "mqtt://10.0.0.2" }, HOME).settings.brokerUrl, "mqtt://10.0.0.2");
  });
  test("MQTT_REJECT_UNAUTHORIZED accepts true/false/1/0/yes/no in any case", () => {
    const cases: [string, boolean][] = [
      ["true", true], ["TRUE", true], ["1", true], ["Yes", true],
      ["false", false], ["False", false], ["0", false], ["NO", false],
    ];
    for (const [value, expected] of cases) {
      const env = { MQTT_BROKER_URL: "mqtts://h", MQTT_REJECT_UNAUTHORIZED: value };
      assert.equal(parseSettings(env, HOME).settings.rejectUnauthorized, expected, value);
    }
  });
  test("SESSION_HOST accepts flow, bridge and auto in any case", () => {
    assert.equal(parseSettings({ SESSION_HOST: "flow" }, HOME).settings.sessionHost, "flow");
    assert.equal(parseSettings({ SESSION_HOST: "Bridge" }, HOME).settings.sessionHost, "bridge");
    assert.equal(parseSettings({ SESSION_HOST: "AUTO" }, HOME).settings.sessionHost, "auto");
  });
  test("empty MQTT_USERNAME and MQTT_PASSWORD mean not sent", () => {
    const { settings } = parseSettings({ MQTT_USERNAME: "", MQTT_PASSWORD: "" }, HOME);
    assert.equal(Object.hasOwn(settings, "username"), false);
    assert.equal(Object.hasOwn(settings, "password"), false);
  });
  test("empty file paths and link key mean unset", () => {
    const { settings } = parseSettings(
      { MQTT_CA_FILE: "", MQTT_CERT_FILE: "", MQTT_KEY_FILE: "", SESSION_LINK_KEY: "" },
      HOME,
    );
    for (const key of ["caFile", "certFile", "keyFile", "linkKey"]) assert.equal(Object.hasOwn(settings, key), false, key);
  });
  test("the largest request timeout and heartbeat are accepted", () => {
    const { settings } = parseSettings({ MQTT_REQUEST_TIMEOUT: "600", HEARTBEAT_INTERVAL: "2147483" }, HOME);
    assert.equal(settings.requestTimeoutSeconds, 600);
    assert.equal(settings.heartbeatSeconds, 2147483);
  });
});

describe("parseSettings: bad values are errors naming the variable and what it accepts", () => {
  const cases: [string, string, RegExp][] = [
    ["QOS", "5s", /accepted: 0, 1 or 2/],
    ["QOS", "3", /accepted: 0, 1 or 2/],
    ["QOS", "-1", /plain digits/],
    ["QOS", "0x10", /plain digits/],
    ["QOS", "1.0", /plain digits/],
    ["QOS", "", /empty.*default, 1/],
    ["HEARTBEAT_INTERVAL", "0", /below 1; accepted: a whole number of seconds from 1 to 2147483/],
    ["HEARTBEAT_INTERVAL", "2147484", /above 2147483/],
    ["HEARTBEAT_INTERVAL", "1.9", /plain digits/],
    ["HEARTBEAT_INTERVAL", "60s", /plain digits/],
    ["HEARTBEAT_INTERVAL", "", /empty/],
    ["MQTT_KEEPALIVE", "0", /below 1; accepted: a whole number of seconds from 1 to 65535/],
    ["MQTT_KEEPALIVE", "65536", /above 65535/],
    ["MQTT_SESSION_EXPIRY", "4294967295", /above 4294967294/],
    ["MQTT_SESSION_EXPIRY", "1h", /plain digits/],
    ["SESSION_TAKEBACK_AFTER", "1m", /plain digits/],
    ["MQTT_REQUEST_TIMEOUT", "601", /above 600; accepted: a whole number of seconds from 1 to 600/],
    ["MQTT_REQUEST_TIMEOUT", "0", /below 1/],
    ["MQTT_MAX_PAYLOAD_BYTES", "1023", /below 1024/],
    ["MQTT_MAX_PAYLOAD_BYTES", "268435456", /above 268435455/],
    ["MQTT_MAX_PAYLOAD_BYTES", "1e6", /plain digits/],
    ["MQTT_MAX_PENDING_REQUESTS", "0", /below 1; accepted: a whole number, 1 or more/],
    ["MQTT_MAX_PENDING_REQUESTS", "99999999999999999999", /too large/],
    ["MQTT_BUFFER_MAX_BYTES", "65535", /below 65536/],
    ["MQTT_BUFFER_MAX_BYTES", "16MB", /plain digits/],
    ["MQTT_COALESCE_INTERVAL", "3601", /above 3600/],
    ["MQTT_COALESCE_INTERVAL", "2.5", /plain digits/],
    ["MQTT_NOTIFY_MAX_PER_MINUTE", "-1", /plain digits/],
    ["MQTT_TOPIC_PREFIX", "a/+", /wildcard/],
    ["MQTT_TOPIC_PREFIX", "home/#", /wildcard/],
    ["MQTT_TOPIC_PREFIX", "", /empty.*default, claude/],
    ["MQTT_TOPIC_PREFIX", "/claude", /starts or ends with "\/"/],
    ["MQTT_TOPIC_PREFIX", "claude/", /starts or ends with "\/"/],
    ["MQTT_TOPIC_PREFIX", "a\u0000b", /NUL/],
    ["MQTT_TOPIC_PREFIX", "$SYS", /reserves/],
    ["MQTT_TOPIC_PREFIX", "claude ", /whitespace/],
    ["MQTT_BROKER_URL", "", /empty.*mqtt:\/\/localhost:1883/],
    ["MQTT_BROKER_URL", "mqtt://h # prod", /inline comments/],
    ["MQTT_BROKER_URL", "mqtt://h#prod", /"#"/],
    ["MQTT_BROKER_URL", "localhost:1883", /protocol "localhost"/],
    ["MQTT_BROKER_URL", "broker.lan", /not a URL/],
    ["MQTT_BROKER_URL", "http://broker.lan", /protocol "http" is not supported; accepted: .*mqtt, mqtts, ws, wss, tcp, ssl/],
    ["MQTT_BROKER_URL", "mqtt://", /no host/],
    ["MQTT_BROKER_URL", "mqtt://h:99999", /not a URL/],
    ["MQTT_BROKER_URL", " mqtt://h", /whitespace/],
    ["SESSION_NAME", "", /empty.*default, default/],
    ["SESSION_NAME", "!!!", /nothing is left/],
    ["SESSION_NAME", "a".repeat(201), /longer than 200/],
    ["SESSION_NAME", "a\u0000b", /contains the control character U\+0000/],
    ["SESSION_NAME", "kitchen\u001b[2J", /contains the control character U\+001B/],
    ["SESSION_HOST", "x", /accepted: flow, bridge or auto/],
    ["SESSION_HOST", "", /empty/],
    ["MQTT_REJECT_UNAUTHORIZED", "maybe", /accepted: true, false, 1, 0, yes or no/],
    ["MQTT_REJECT_UNAUTHORIZED", "", /empty/],
    ["MQTT_STATE_DIR", "", /empty/],
    ["SESSION_LINK_KEY", "k".repeat(31), /too short \(31 characters\); accepted: at least 32 characters/],
  ];
  for (const [variable, value, message] of cases) {
    test(`${variable}=${JSON.stringify(value.length > 40 ? `${value.slice(0, 10)}…` : value)} is rejected`, () => {
      const problem = onlyProblem({ [variable]: value });
      assert.equal(problem.variable, variable);
      assert.match(problem.message, message);
      assert.match(problem.message, /accepted: /);
    });
  }

  test("a client certificate without its key is rejected, and the reverse", () => {
    assert.equal(onlyProblem({ MQTT_CERT_FILE: "/c.pem" }).variable, "MQTT_KEY_FILE");
    assert.equal(onlyProblem({ MQTT_KEY_FILE: "/k.pem" }).variable, "MQTT_CERT_FILE");
  });

  test("every bad variable is reported at once, in one error with one line each", () => {
    const env = { QOS: "5s", HEARTBEAT_INTERVAL: "0", MQTT_TOPIC_PREFIX: "a/+", MQTT_BROKER_URL: "", SESSION_HOST: "x" };
    let error: unknown;
    try {
      parseSettings(env, HOME);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(
      error.problems.map((p) => p.variable).sort(),
      ["HEARTBEAT_INTERVAL", "MQTT_BROKER_URL", "MQTT_TOPIC_PREFIX", "QOS", "SESSION_HOST"],
    );
    const lines = error.message.split("\n");
    assert.equal(lines.length, 5);
    assert.ok(lines.includes(`QOS="5s": ${error.problems.find((p) => p.variable === "QOS")!.message}`));
    assert.equal(error.name, "ConfigError");
  });

  test("a value with a newline still gives a one-line message", () => {
    let error: unknown;
    try {
      parseSettings({ QOS: "1\n2" }, HOME);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message.split("\n").length, 1);
  });

  test("the problem keeps the raw value", () => {
    assert.equal(onlyProblem({ QOS: "5s" }).value, "5s");
  });

  test("the link key never appears in the error", () => {
    const key = "short-secret-key";
    const problem = onlyProblem({ SESSION_LINK_KEY: key });
    assert.equal(problem.value, "***");
    assert.ok(!JSON.stringify(problem).includes(key));
  });

  test("a password in a bad broker URL never appears in the error", () => {
    let error: unknown;
    try {
      parseSettings({ MQTT_BROKER_URL: "http://bob:hunter2@h" }, HOME);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof ConfigError);
    assert.ok(!error.message.includes("hunter2"));
    assert.equal(error.problems[0]!.value, "http://***:***@h");
  });
});

describe("parseSettings: warnings", () => {
  test("a sanitised SESSION_NAME is used and reported as the reference words it", () => {
    const { settings, warnings } = parseSettings({ SESSION_NAME: "a b" }, HOME);
    assert.equal(settings.sessionName, "ab");
    assert.deepEqual(warnings, ['SESSION_NAME sanitized from "a b" to "ab"']);
  });
  test("a clean SESSION_NAME gives no warning", () => {
    assert.deepEqual(parseSettings({ SESSION_NAME: "kitchen" }, HOME).warnings, []);
  });
  test("TLS settings with a non-TLS broker URL are reported as having no effect", () => {
    const { warnings } = parseSettings({ MQTT_CA_FILE: "/ca.pem", MQTT_REJECT_UNAUTHORIZED: "false" }, HOME);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /^MQTT_CA_FILE has no effect: MQTT_BROKER_URL uses mqtt:\/\//);
    assert.match(warnings[1]!, /^MQTT_REJECT_UNAUTHORIZED has no effect/);
  });
  test("switching off certificate checks on a TLS URL is reported", () => {
    const { warnings } = parseSettings({ MQTT_BROKER_URL: "wss://h/mqtt", MQTT_REJECT_UNAUTHORIZED: "0" }, HOME);
    assert.deepEqual(warnings, ["MQTT_REJECT_UNAUTHORIZED is false: the broker's TLS certificate is not verified"]);
  });
  test("TLS files with a TLS URL give no warning", () => {
    const env = { MQTT_BROKER_URL: "mqtts://h", MQTT_CA_FILE: "/ca.pem", MQTT_CERT_FILE: "/c", MQTT_KEY_FILE: "/k" };
    assert.deepEqual(parseSettings(env, HOME).warnings, []);
  });
  test("a relative state directory is reported", () => {
    const { settings, warnings } = parseSettings({ MQTT_STATE_DIR: "state" }, HOME);
    assert.equal(settings.stateDir, "state");
    assert.match(warnings[0] ?? "", /relative path/);
  });
});

describe("resolveStateDir", () => {
  test("defaults to <home>/.claude/channels/mqtt", () => {
    assert.equal(resolveStateDir({}, HOME), join(HOME, ".claude", "channels", "mqtt"));
  });
  test("MQTT_STATE_DIR overrides the default, as given", () => {
    assert.equal(resolveStateDir({ MQTT_STATE_DIR: "/srv/state" }, HOME), "/srv/state");
  });
  test("an empty MQTT_STATE_DIR is an error, not the default", () => {
    assert.throws(() => resolveStateDir({ MQTT_STATE_DIR: "" }, HOME), (error: unknown) => {
      return error instanceof ConfigError && error.problems[0]!.variable === "MQTT_STATE_DIR";
    });
  });
  test("agrees with parseSettings", () => {
    const env = { MQTT_STATE_DIR: "/x/y" };
    assert.equal(resolveStateDir(env, HOME), parseSettings(env, HOME).settings.stateDir);
  });
});

describe("redactUrl", () => {
  const cases: [string, string][] = [
    ["mqtt://user:pass@broker:1883", "mqtt://***:***@broker:1883"],
    ["mqtt://user@broker", "mqtt://***@broker"],
    ["mqtt://:pass@broker", "mqtt://:***@broker"],
    ["mqtt://broker:1883", "mqtt://broker:1883"],
    ["wss://u:p@h/mqtt?x=1", "wss://***:***@h/mqtt?x=1"],
    ["mqtt://u:p@ss#w/rd@broker", "mqtt://***:***@broker"],
    ["user:pass@broker", "***:***@broker"],
    ["", ""],
  ];
  for (const [url, expected] of cases) {
    test(`${JSON.stringify(url)} → ${JSON.stringify(expected)}`, () => assert.equal(redactUrl(url), expected));
  }
  test("the default settings URL is unchanged", () => {
    assert.equal(redactUrl(parseSettings({}, HOME).settings.brokerUrl), "mqtt://localhost:1883");
  });
});

describe("parseSettings: publish permissions", () => {
  test("MQTT_PUBLISH_ALLOW and MQTT_PUBLISH_DENY are comma-separated filters, trimmed", () => {
    const { settings } = parseSettings({ MQTT_PUBLISH_ALLOW: "home/commands/#, claude/sessions/+/inbox", MQTT_PUBLISH_DENY: "home/commands/lock/#" }, HOME);
    assert.deepEqual(settings.publishAllow, ["home/commands/#", "claude/sessions/+/inbox"]);
    assert.deepEqual(settings.publishDeny, ["home/commands/lock/#"]);
  });
  test("empty means unset", () => {
    const { settings } = parseSettings({ MQTT_PUBLISH_ALLOW: "", MQTT_PUBLISH_DENY: "" }, HOME);
    assert.deepEqual([settings.publishAllow, settings.publishDeny], [[], []]);
  });
  test("an invalid filter or an empty entry is an error naming the variable", () => {
    const bad = onlyProblem({ MQTT_PUBLISH_ALLOW: "home/#/x" });
    assert.equal(bad.variable, "MQTT_PUBLISH_ALLOW");
    assert.match(bad.message, /#.*accepted: MQTT topic filters separated by commas/);
    const empty = onlyProblem({ MQTT_PUBLISH_DENY: "a/#,,b" });
    assert.equal(empty.variable, "MQTT_PUBLISH_DENY");
    assert.match(empty.message, /entry 2 is empty/);
  });
});
