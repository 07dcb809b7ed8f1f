/**
 * The package as a Node-RED user gets it: `npm pack`, installed from the tarball, loaded
 * by a real `node-red` process, a flow deployed through the admin API (as the editor's
 * Deploy button does) and exercised over MQTT.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { installedPackage, NodeRed, PACKAGE, type FlowNode } from "../helpers/node-red.js";
import { uniquePrefix } from "../helpers/session.js";
import { waitFor } from "./helpers/red.js";

let broker: TestBroker;
let client: MqttClient;
let red: NodeRed | undefined;

before(async () => {
  broker = await startBroker();
  client = await mqtt.connectAsync(broker.url);
});
after(async () => {
  await red?.stop();
  await client.endAsync();
  await broker.stop();
});

test("the packed tarball installs, and a real Node-RED with it in a fresh user directory loads and runs the nodes", { timeout: 600_000 }, async () => {
  const pkg = installedPackage();
  for (const name of ["claude-session", "claude-gate", "claude-publish", "claude-action", "claude-permission"]) {
    for (const file of [`${name}.js`, `${name}.html`, `icons/${name}.svg`]) assert.ok(pkg.files.includes(`dist/nodes/${name}/${file}`), `${file} is in the tarball`);
  }
  assert.ok(existsSync(join(pkg.moduleDir, "package.json")));

  red = await NodeRed.start(pkg);
  const list = await red.http("/nodes");
  assert.equal(list.status, 200);
  const sets = JSON.parse(list.text) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
  const ours = sets.filter((s) => s.module === PACKAGE);
  assert.deepEqual(ours.flatMap((s) => s.types).sort(), ["claude-action", "claude-gate", "claude-permission", "claude-publish", "claude-session"]);
  for (const set of ours) assert.ok(set.enabled && !set.err, `${set.types.join()} enabled without error: ${set.err ?? "ok"}`);

  const editor = await red.http("/nodes", { accept: "text/html" });
  assert.match(editor.text, /data-template-name="claude-gate"/);
  // The editor scripts come bundled with core's rules (validatePattern is one of them).
  assert.match(editor.text, /function validatePattern\(/);

  // Deploy as the editor does: credentials inline, a gate admitting what an mqtt in node hears, a publish answering.
  const prefix = uniquePrefix();
  const flow: FlowNode[] = [
    { id: "tab", type: "tab", label: "claude" },
    { id: "s1", type: "claude-session", name: "packbot", broker: broker.url, prefix, qos: 1, heartbeat: 60, admitted: ["pack/in"], watched: [], muted: [], credentials: { username: "pack-user", password: "inline-s3cret", linkKey: "L".repeat(43) } },
    { id: "b1", type: "mqtt-broker", name: "", broker: "127.0.0.1", port: String(broker.port), clientid: "", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
    { id: "in1", type: "mqtt in", z: "tab", topic: "pack/in", qos: "1", datatype: "utf8", broker: "b1", nl: false, rap: true, rh: 0, inputs: 0, wires: [["g1"]] },
    { id: "g1", type: "claude-gate", z: "tab", session: "s1", mode: "lists", subject: "topic", subjectType: "msg", wires: [["p1"], [], []] },
    { id: "p1", type: "claude-publish", z: "tab", session: "s1", mode: "publish", topic: "pack/out", target: "", raw: false, retain: false, wires: [] },
  ];
  await red.deploy(flow);

  const exported = await red.http("/flows");
  for (const secret of ["pack-user", "inline-s3cret", "L".repeat(43)]) assert.ok(!exported.text.includes(secret), `${secret} is not in the flow export`);
  const credFile = readFileSync(join(red.userDir, "flows_cred.json"), "utf8");
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
  const running = red;
  await waitFor(() => statuses.find((s) => s.status === "online" && s.host === "flow"), () => `the flow-hosted session online:\n${running.output()}`, 20_000);

  // The mqtt in node subscribes some time after the deploy: send again until the flow passes one on.
  for (let attempt = 1; out.length === 0; attempt++) {
    await client.publishAsync("pack/in", "door open", { qos: 1 });
    await waitFor(() => (out.length > 0 ? true : undefined), "", 1000).catch((err: unknown) => {
      if (attempt >= 20) throw new Error(`nothing came out of the flow:\n${running.output()}`, { cause: err });
    });
  }
  const envelope = JSON.parse(out[0]!) as { sender: string; content: string };
  assert.deepEqual([envelope.sender, envelope.content], ["packbot", "door open"]);
});
