import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { tempDir } from "../helpers/session.js";
import { TOOL_NAMES } from "../../session/tools/schemas.js";
import { Peer, ROOT, startBridge } from "./harness.js";

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as Record<string, unknown>;
const BUNDLE = join("plugin", "bridge.cjs");

describe("Claude Code plugin files", () => {
  test("plugin.json, marketplace.json and package.json agree on names and versions", () => {
    const pkg = readJson("package.json");
    const plugin = readJson(".claude-plugin/plugin.json");
    const marketplace = readJson(".claude-plugin/marketplace.json");
    assert.equal(plugin.name, "claude-channel");
    assert.equal(plugin.version, pkg.version);
    assert.equal(plugin.mcpServers, "./.mcp.json");
    const entries = marketplace.plugins as Array<Record<string, unknown>>;
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.name, plugin.name);
    assert.equal(entries[0]!.source, "./");
    assert.equal(entries[0]!.version, pkg.version);
    assert.equal(typeof marketplace.name, "string");
  });

  test(".mcp.json starts the committed bundle with node from the plugin root, tuned for a small heap", () => {
    const servers = readJson(".mcp.json").mcpServers as Record<string, { command: string; args: string[] }>;
    assert.deepEqual(Object.keys(servers), ["mqtt"]);
    assert.equal(servers.mqtt!.command, "node");
    // --optimize-for-size: V8 grows the heap less eagerly; the bridge runs for every Claude Code session.
    assert.deepEqual(servers.mqtt!.args, ["--optimize-for-size", `\${CLAUDE_PLUGIN_ROOT}/${BUNDLE}`]);
    assert.ok(existsSync(join(ROOT, BUNDLE)));
    assert.ok(readFileSync(join(ROOT, BUNDLE), "utf8").startsWith("#!/usr/bin/env node\n"));
  });

  test("the committed bundle is what the sources build today", () => {
    const check = spawnSync(process.execPath, [join(ROOT, "scripts", "bundle.mjs"), "--check"], { encoding: "utf8" });
    assert.equal(check.status, 0, `${check.stderr}\nRun npm run bundle and commit ${BUNDLE}.`);
    assert.equal(check.stdout, "");
  });
});

describe("the bundle on its own", () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startBroker();
  });
  after(async () => {
    await broker.stop();
  });

  test("runs with nothing but Node: no node_modules, no build", async () => {
    // The plugin's layout, away from this repository's node_modules and dist.
    const root = tempDir("claude-plugin-");
    mkdirSync(join(root, "plugin"));
    copyFileSync(join(ROOT, BUNDLE), join(root, BUNDLE));
    copyFileSync(join(ROOT, "package.json"), join(root, "package.json"));

    const b = await startBridge({ brokerUrl: broker.url, script: join(root, BUNDLE) });
    try {
      assert.equal((await b.client.listTools()).tools.length, TOOL_NAMES.length);
      const status = await b.status();
      assert.equal(status.version, readJson("package.json").version);
      await b.ok("admit", { pattern: "bundle/#" });
      const peer = await Peer.connect(broker.url);
      await peer.publish("bundle/x", "through the bundle");
      assert.equal((await b.nextNotification()).content, "through the bundle");
      await peer.end();
    } finally {
      await b.close();
    }
  });
});
