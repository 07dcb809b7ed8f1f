/**
 * The package as a Node-RED user gets it: `npm pack`, installed from the tarball into a
 * fresh user directory, loaded by a real `node-red` process, a flow deployed through the
 * admin API (as the editor's Deploy button does) and exercised over MQTT.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { freePort, startBroker, type TestBroker } from "../helpers/broker.js";
import { tempDir, uniquePrefix } from "../helpers/session.js";
import { waitFor } from "./helpers/red.js";

const root = resolve(__dirname, "..", "..", "..");
const PACKAGE = "node-red-contrib-claude-channel";

let broker: TestBroker;
let client: MqttClient;

before(async () => {
  broker = await startBroker();
  client = await mqtt.connectAsync(broker.url);
});
after(async () => {
  await client.endAsync();
  await broker.stop();
});

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

async function http(port: number, path: string, options: { accept?: string; deploy?: unknown } = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: options.deploy === undefined ? "GET" : "POST",
    headers: { Accept: options.accept ?? "application/json", "Content-Type": "application/json", "Node-RED-Deployment-Type": "full" },
    ...(options.deploy === undefined ? {} : { body: JSON.stringify(options.deploy) }),
  });
  return { status: response.status, text: await response.text() };
}

test("the packed tarball installs into a fresh user directory, and a real Node-RED loads and runs the three nodes", { timeout: 600_000 }, async () => {
  const packDir = tempDir("claude-pack-");
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", packDir], root)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(packDir, packed!.filename.replace(/^@.*\//, ""));
  const shipped = packed!.files.map((f) => f.path);
  for (const name of ["claude-session", "claude-gate", "claude-publish"]) {
    for (const file of [`${name}.js`, `${name}.html`, `icons/${name}.svg`]) assert.ok(shipped.includes(`dist/nodes/${name}/${file}`), `${file} is in the tarball`);
  }

  const userDir = tempDir("claude-userdir-");
  run("npm", ["install", "--prefix", userDir, "--no-audit", "--no-fund", "--prefer-offline", tarball], userDir);
  assert.ok(existsSync(join(userDir, "node_modules", PACKAGE, "package.json")));

  const port = await freePort();
  const settings = join(userDir, "settings.js");
  // No adminAuth: the admin API is open, as in a fresh install.
  writeFileSync(settings, `module.exports = { flowFile: "flows.json", credentialSecret: "pack-test-secret", diagnostics: { enabled: false }, telemetry: { enabled: false }, logging: { console: { level: "info" } } };\n`);
  let output = "";
  const red: ChildProcess = spawn(process.execPath, [join(root, "node_modules", "node-red", "red.js"), "-u", userDir, "-p", String(port), "-s", settings], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  red.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  red.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => red.once("exit", () => done()));
  try {
    const list = await waitFor(
      () => (/Started flows|Server now running/.test(output) ? true : undefined),
      () => `Node-RED to start:\n${output}`,
      60_000,
    ).then(() => http(port, "/nodes"));
    assert.equal(list.status, 200);
    const sets = JSON.parse(list.text) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
    const ours = sets.filter((s) => s.module === PACKAGE);
    assert.deepEqual(ours.flatMap((s) => s.types).sort(), ["claude-gate", "claude-publish", "claude-session"]);
    for (const set of ours) assert.ok(set.enabled && !set.err, `${set.types.join()} enabled without error: ${set.err ?? "ok"}`);

    const editor = await http(port, "/nodes", { accept: "text/html" });
    assert.match(editor.text, /data-template-name="claude-gate"/);
    assert.match(editor.text, /window\.ClaudeChannelCore = core/);

    // Deploy as the editor does: credentials inline, a gate admitting what an mqtt in node hears, a publish answering.
    const prefix = uniquePrefix();
    const flow = [
      { id: "tab", type: "tab", label: "claude" },
      { id: "s1", type: "claude-session", name: "packbot", broker: broker.url, prefix, qos: 1, heartbeat: 60, admitted: ["pack/in"], watched: [], muted: [], credentials: { username: "pack-user", password: "inline-s3cret", linkKey: "L".repeat(43) } },
      { id: "b1", type: "mqtt-broker", name: "", broker: "127.0.0.1", port: String(broker.port), clientid: "", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
      { id: "in1", type: "mqtt in", z: "tab", topic: "pack/in", qos: "1", datatype: "utf8", broker: "b1", nl: false, rap: true, rh: 0, inputs: 0, wires: [["g1"]] },
      { id: "g1", type: "claude-gate", z: "tab", session: "s1", mode: "lists", subject: "topic", subjectType: "msg", wires: [["p1"], [], []] },
      { id: "p1", type: "claude-publish", z: "tab", session: "s1", mode: "publish", topic: "pack/out", target: "", raw: false, retain: false, wires: [] },
    ];
    const deployed = await http(port, "/flows", { deploy: flow });
    assert.equal(deployed.status, 204, deployed.text);

    const exported = await http(port, "/flows");
    for (const secret of ["pack-user", "inline-s3cret", "L".repeat(43)]) assert.ok(!exported.text.includes(secret), `${secret} is not in the flow export`);
    const credFile = readFileSync(join(userDir, "flows_cred.json"), "utf8");
    assert.ok(!credFile.includes("inline-s3cret"), "credentials are stored encrypted");

    const out: string[] = [];
    client.on("message", (topic, payload) => {
      if (topic === "pack/out") out.push(payload.toString());
    });
    await client.subscribeAsync("pack/out", { qos: 1 });
    const status = `${prefix}/sessions/packbot/status`;
    const statuses: Array<{ status: string; host?: string }> = [];
    client.on("message", (topic, payload) => {
      if (topic === status && payload.length > 0) statuses.push(JSON.parse(payload.toString()) as { status: string; host?: string });
    });
    await client.subscribeAsync(status, { qos: 1 });
    await waitFor(() => statuses.find((s) => s.status === "online" && s.host === "flow"), () => `the flow-hosted session online:\n${output}`, 20_000);

    // The mqtt in node subscribes some time after the deploy: send again until the flow passes one on.
    for (let attempt = 1; out.length === 0; attempt++) {
      await client.publishAsync("pack/in", "door open", { qos: 1 });
      await waitFor(() => (out.length > 0 ? true : undefined), "", 1000).catch((err: unknown) => {
        if (attempt >= 20) throw new Error(`nothing came out of the flow:\n${output}`, { cause: err });
      });
    }
    const envelope = JSON.parse(out[0]!) as { sender: string; content: string };
    assert.deepEqual([envelope.sender, envelope.content], ["packbot", "door open"]);
  } finally {
    red.kill("SIGINT");
    await exited;
  }
});
