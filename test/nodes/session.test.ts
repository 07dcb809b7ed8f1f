import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { tempDir, uniquePrefix } from "../helpers/session.js";
import { PinnedPatternError } from "../../session/lists.js";
import {
  claudeNodes,
  configNode,
  connected,
  deploy,
  gateFlow,
  helper,
  logged,
  LOG_ERROR,
  received,
  recordStatuses,
  tlsNode,
  waitFor,
  type FlowNode,
  type FlowParts,
} from "./helpers/red.js";

let broker: TestBroker;
let peer: MqttClient;
let userDir: string;
let prefix: string;

before(async () => {
  broker = await startBroker();
  peer = await mqtt.connectAsync(broker.url);
});
after(async () => {
  await peer.endAsync();
  await broker.stop();
});
beforeEach(() => {
  userDir = tempDir("claude-session-");
  helper.settings({ userDir });
  prefix = uniquePrefix();
});
afterEach(async () => {
  await helper.unload();
});

function flow(parts: FlowParts = {}, url = broker.url): FlowNode[] {
  return gateFlow(url, prefix, parts);
}

/** Every retained status the session publishes, as a monitor sees them. */
async function watchStatus(name = "flowbot"): Promise<{ seen: Array<Record<string, unknown>>; stop(): Promise<void> }> {
  const topic = `${prefix}/sessions/${name}/status`;
  const seen: Array<Record<string, unknown>> = [];
  const listener = (t: string, payload: Buffer): void => {
    if (t === topic && payload.length > 0) seen.push(JSON.parse(payload.toString()) as Record<string, unknown>);
  };
  peer.on("message", listener);
  await peer.subscribeAsync(topic, { qos: 1 });
  return {
    seen,
    stop: async () => {
      peer.off("message", listener);
      await peer.unsubscribeAsync(topic);
    },
  };
}

describe("claude-session lifecycle", () => {
  test("starts with its first user, shows the connection on every user, and goes offline when stopped", async () => {
    const monitor = await watchStatus();
    const statuses = recordStatuses();
    await helper.load(claudeNodes, flow());
    await connected("s1");
    const online = await waitFor(() => monitor.seen.find((s) => s.status === "online"), "an online status");
    assert.equal(online.host, "flow");
    assert.equal(online.session, "flowbot");
    for (const user of ["g1", "p1"]) {
      await waitFor(() => statuses.of(user).find((s) => s.text === "node-red:common.status.connected" && s.fill === "green"), `${user} showing connected`);
    }

    await helper.unload();
    const offline = await waitFor(() => monitor.seen.find((s) => s.status === "offline"), "an offline status");
    assert.equal(offline.reason, "shutdown");
    assert.ok(statuses.of("p1").some((s) => s.text === "node-red:common.status.disconnected"), "the users are told");
    statuses.stop();
    await monitor.stop();
  });

  test("a redeploy of only the gate keeps the session and its connection", async () => {
    await helper.load(claudeNodes, flow());
    const session = await connected("s1");
    const monitor = await watchStatus();
    await deploy(flow({ gate: { mode: "admit" } }), "nodes");
    assert.equal(await connected("s1"), session, "the same Session");
    const admitted = received("admitted");
    helper.getNode("g1")!.receive({ topic: "any", payload: "x" });
    assert.equal(((await admitted)[0]!.claude as { tier: string }).tier, "admitted");
    assert.ok(!monitor.seen.some((s) => s.status === "offline"), "never offline");
    await monitor.stop();
  });

  test("removing its last user stops the session; a new user starts a new one", async () => {
    const onlyConfig = (f: FlowNode[]) => f.filter((n) => n.id === "f1" || n.id === "s1");
    await helper.load(claudeNodes, flow());
    const first = await connected("s1");
    const monitor = await watchStatus();
    await deploy(onlyConfig(flow()), "nodes");
    await waitFor(() => monitor.seen.find((s) => s.status === "offline"), "the offline status");
    assert.equal(first.state, "stopped");
    await deploy(flow(), "nodes");
    const second = await connected("s1");
    assert.notEqual(second, first);
    await monitor.stop();
  });
});

describe("claude-session lists", () => {
  test("what Claude adds persists in the user directory; the editor's lists are pinned and re-applied on deploy", async () => {
    await helper.load(claudeNodes, flow({ session: { admitted: ["owner/#"], muted: ["owner/secret"] } }));
    const session = await connected("s1");
    assert.equal(await session.addPattern("watched", "claude/added"), true);
    await assert.rejects(session.removePattern("admitted", "owner/#"), PinnedPatternError);

    const file = join(userDir, "claude-channel", "sessions", "flowbot.json");
    const saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, string[]>;
    assert.deepEqual(saved.watched, ["claude/added"]);
    assert.ok(!saved.admitted!.includes("owner/#"), "the owner's patterns stay in the flow, not in the file");

    await deploy(flow({ session: { admitted: ["owner2/#"], muted: [] } }));
    const next = await connected("s1");
    assert.notEqual(next, session);
    const lists = next.effectiveLists();
    assert.ok(lists.watched.includes("claude/added"), "Claude's addition survived the redeploy");
    assert.ok(lists.admitted.includes("owner2/#"));
    assert.ok(!lists.admitted.includes("owner/#"), "a pattern the owner removed is gone");
    assert.deepEqual(lists.pinned, { admitted: ["owner2/#"], watched: [], muted: [] });

    const watched = received("watched");
    const admitted = received("admitted");
    helper.getNode("g1")!.receive({ topic: "claude/added", payload: "1" });
    helper.getNode("g1")!.receive({ topic: "owner2/x", payload: "2" });
    assert.equal(((await watched)[0]!.claude as { pattern: string }).pattern, "claude/added");
    assert.equal(((await admitted)[0]!.claude as { pattern: string }).pattern, "owner2/#");
  });

  test("buffer limits set in the editor are applied and saved; blank ones keep the session file's", async () => {
    await helper.load(claudeNodes, flow({ session: { bufferMaxAge: "120", bufferMaxPerTopic: 5 } }));
    const session = await connected("s1");
    assert.deepEqual([session.currentConfig().bufferMaxAge, session.currentConfig().bufferMaxPerTopic], [120, 5]);
    const file = JSON.parse(readFileSync(join(userDir, "claude-channel", "sessions", "flowbot.json"), "utf8")) as Record<string, unknown>;
    assert.deepEqual([file.bufferMaxAge, file.bufferMaxPerTopic], [120, 5]);
    session.config({ bufferMaxPerTopic: 9 });
    await helper.unload();

    await helper.load(claudeNodes, flow({ session: { bufferMaxAge: "", bufferMaxPerTopic: "" } }));
    const next = await connected("s1");
    assert.deepEqual([next.currentConfig().bufferMaxAge, next.currentConfig().bufferMaxPerTopic], [120, 9]);
  });

  test("the editor's coalescing settings are the bounds of the session's pacing, Claude choosing within them", async () => {
    await helper.load(claudeNodes, flow({ session: { coalesceInterval: "10", notifyPerMinute: "20" } }));
    const session = await connected("s1");
    const { intervalSeconds, perMinute, owner } = session.status().coalescing;
    assert.deepEqual({ intervalSeconds, perMinute, owner }, { intervalSeconds: 10, perMinute: 20, owner: { minIntervalSeconds: 10, maxPerMinute: 20 } });
    assert.throws(() => session.config({ coalesceInterval: 2 }), /below the owner's minimum of 10 s/);
    session.config({ notifyPerMinute: 5 });
    assert.equal(session.status().coalescing.perMinute, 5);
  });
});

describe("claude-session configuration problems", () => {
  const cases: Array<[string, Partial<FlowNode>, RegExp]> = [
    ["an invalid pattern", { admitted: ["home#"] }, /admitted: pattern "home#": "#" must fill a whole level/],
    ["a bad broker URL", { broker: "http://example.org" }, /broker: protocol "http" is not supported/],
    ["a missing session name", { name: "" }, /name: session name is empty/],
    ["a name that is not a topic level", { name: "kitchen/1" }, /name: session name "kitchen\/1" contains "\/"/],
    ["a prefix with a wildcard", { prefix: "claude/#" }, /prefix: contains an MQTT wildcard/],
    ["a heartbeat of zero", { heartbeat: "0" }, /heartbeat: 0 is below 1/],
    ["a TLS configuration that does not exist", { tls: "gone" }, /tls: the TLS configuration gone does not exist/],
  ];
  for (const [what, session, reason] of cases) {
    test(`${what} is logged by the config node and shown on its users; messages are reported, nothing connects`, async () => {
      const statuses = recordStatuses();
      await helper.load(claudeNodes, flow({ session }));
      assert.ok(logged(LOG_ERROR, "s1").some((m) => reason.test(m)), `logged: ${JSON.stringify(logged(LOG_ERROR, "s1"))}`);
      // The gate's status goes through its throttle: it shows on the next turn.
      for (const user of ["g1", "p1"]) await waitFor(() => statuses.of(user).find((s) => s.fill === "red" && s.shape === "dot"), `${user} shows a red dot`);
      const current = configNode("s1").current();
      assert.ok("problem" in current && reason.test(current.problem));
      const errors = received("errors", 2);
      helper.getNode("g1")!.receive({ topic: "a", payload: "b" });
      helper.getNode("p1")!.receive({ topic: "a", payload: "b" });
      for (const error of await errors) assert.match(String((error.error as { message: string }).message), reason);
      statuses.stop();
    });
  }
});

describe("claude-session credentials", () => {
  test("username and password stay out of the flow export and log in to a broker that requires them", async (t) => {
    if (broker.kind !== "mosquitto") return t.skip("needs mosquitto (password files)");
    const dir = readableByBroker(tempDir("claude-auth-"));
    const passwords = join(dir, "passwords");
    const made = spawnSync("mosquitto_passwd", ["-b", "-c", passwords, "flow-user", "s3cret-pass"], { encoding: "utf8" });
    if (made.status !== 0) return t.skip(`mosquitto_passwd failed: ${made.stderr}`);
    readableByBroker(passwords);
    const secured = await startBroker({ passwordFile: passwords });
    try {
      const credentials = { s1: { username: "flow-user", password: "s3cret-pass", linkKey: "k".repeat(43) } };
      await helper.load(claudeNodes, flow({}, secured.url), credentials);
      await connected("s1");
      const exported = JSON.stringify(helper._redNodes.getFlows());
      for (const secret of ["flow-user", "s3cret-pass", "k".repeat(43)]) assert.ok(!exported.includes(secret), `${secret} is not in the flow export`);
      const node = configNode("s1") as unknown as Record<string, unknown>;
      assert.equal(node.password, undefined);
      assert.equal(node.username, undefined);
      await helper.unload();

      const statuses = recordStatuses();
      await helper.load(claudeNodes, flow({}, secured.url), { s1: { username: "flow-user", password: "wrong" } });
      await waitFor(() => logged(30, "s1").find((m) => /Not authorized/i.test(m)), "the refused login in the log");
      assert.ok(!statuses.of("g1").some((s) => s.text === "node-red:common.status.connected"));
      statuses.stop();
    } finally {
      await helper.unload();
      await secured.stop();
    }
  });
});

describe("claude-session TLS", () => {
  test("a tls-config node's CA lets the session verify an mqtts:// broker; without it the connection is refused", async (t) => {
    if (broker.kind !== "mosquitto") return t.skip("needs mosquitto (TLS listener)");
    const dir = readableByBroker(tempDir("claude-tls-"));
    const certs = makeCertificates(dir);
    if (!certs) return t.skip("openssl is not available");
    const secure = await startBroker({ tls: { certfile: certs.cert, keyfile: certs.key } });
    const tlsConfig = (ca: string): FlowNode => ({ id: "t1", type: "tls-config", name: "", cert: "", key: "", ca, certname: "", keyname: "", caname: "", servername: "", verifyservercert: true });
    try {
      await helper.load([...claudeNodes, tlsNode], [...flow({ session: { tls: "t1" } }, secure.url), tlsConfig(certs.ca)]);
      const session = await connected("s1");
      assert.equal(session.status().broker, secure.url);
      await helper.unload();

      await helper.load([...claudeNodes, tlsNode], [...flow({ session: { tls: "t1" } }, secure.url), tlsConfig("")]);
      await waitFor(() => logged(30, "s1").find((m) => /certificate/i.test(m)), "the refused certificate in the log");
    } finally {
      await helper.unload();
      await secure.stop();
    }
  });
});

describe("claude-session redeploys", () => {
  test("twenty full redeploys leave no connection, timer or socket behind", async (t) => {
    const counting = await startBroker({ sysIntervalSeconds: 1 });
    const watcher = await mqtt.connectAsync(counting.url);
    let clients = -1;
    watcher.on("message", (topic, payload) => {
      if (topic === "$SYS/broker/clients/connected") clients = Number(payload.toString());
    });
    await watcher.subscribeAsync("$SYS/broker/clients/connected");
    const monitor = await watchStatusOn(watcher);
    try {
      await helper.load(claudeNodes, flow({}, counting.url));
      await connected("s1");
      const baseline = activeResources();
      const connectedBefore = counting.kind === "mosquitto" ? await waitFor(() => (clients >= 2 ? clients : undefined), "$SYS client count") : -1;

      for (let i = 0; i < 20; i++) {
        await deploy(flow({ session: { heartbeat: 60 + (i % 2) } }, counting.url));
        await connected("s1");
      }

      const shutdowns = () => monitor.filter((s) => s.status === "offline" && s.reason === "shutdown").length;
      await waitFor(() => (shutdowns() === 20 ? true : undefined), () => `20 clean shutdowns (saw ${shutdowns()})`);
      assert.ok(monitor.filter((s) => s.status === "online").length >= 21, "each session went online");
      await waitFor(
        () => {
          const now = activeResources();
          return now.sockets <= baseline.sockets && now.timers <= baseline.timers ? now : undefined;
        },
        () => `sockets and timers back to ${JSON.stringify(baseline)} (now ${JSON.stringify(activeResources())})`,
      );
      if (counting.kind === "mosquitto") {
        await waitFor(() => (clients === connectedBefore ? true : undefined), () => `the broker to count ${connectedBefore} clients (counts ${clients})`);
      } else {
        t.diagnostic("aedes: broker-side client count not checked");
      }
    } finally {
      await helper.unload();
      await watcher.endAsync();
      await counting.stop();
    }
  });
});

function activeResources(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((r) => r === "TCPSocketWrap").length, timers: info.filter((r) => r === "Timeout").length };
}

async function watchStatusOn(client: MqttClient): Promise<Array<Record<string, unknown>>> {
  const topic = `${prefix}/sessions/flowbot/status`;
  const seen: Array<Record<string, unknown>> = [];
  client.on("message", (t, payload) => {
    if (t === topic && payload.length > 0) seen.push(JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return seen;
}

/** A CA and a server certificate for 127.0.0.1, made with openssl; undefined when it is missing. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } | undefined {
  const run = (args: string[]): boolean => spawnSync("openssl", args, { cwd: dir, encoding: "utf8" }).status === 0;
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  const ok =
    run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=claude-channel test CA"]) &&
    run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]) &&
    run(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext"]);
  if (!ok || !existsSync(join(dir, "server.crt"))) return undefined;
  for (const file of ["server.crt", "server.key"]) readableByBroker(join(dir, file));
  return { ca: join(dir, "ca.crt"), cert: join(dir, "server.crt"), key: join(dir, "server.key") };
}

/** Mosquitto started as root drops to its own user before it reads these files. */
function readableByBroker(path: string): string {
  chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  return path;
}
