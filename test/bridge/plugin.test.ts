import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { tempDir } from "../helpers/session.js";
import { TOOL_NAMES } from "../../session/tools/schemas.js";
import { Peer, ROOT, startBridge } from "./harness.js";

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as Record<string, unknown>;
const BUNDLE = join("plugin", "bridge.cjs");

describe("Claude Code plugin files", () => {
  test("plugin.json, marketplace.json and package.json agree on names, versions and links", () => {
    const pkg = readJson("package.json");
    const plugin = readJson("plugin/.claude-plugin/plugin.json");
    const marketplace = readJson(".claude-plugin/marketplace.json");
    // The name claude-code-mqtt has: the tools stay mcp__plugin_mqtt_mqtt__<tool>.
    assert.equal(plugin.name, "mqtt");
    assert.equal(plugin.version, pkg.version);
    assert.equal(plugin.mcpServers, "./.mcp.json");
    assert.equal(plugin.license, pkg.license);
    assert.equal(plugin.homepage, pkg.homepage);
    assert.equal(plugin.repository, (pkg.repository as { url: string }).url.replace(/^git\+/, "").replace(/\.git$/, ""));
    const entries = marketplace.plugins as Array<Record<string, unknown>>;
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.name, plugin.name);
    assert.equal(entries[0]!.source, "./plugin");
    assert.equal(entries[0]!.version, pkg.version);
    assert.equal(marketplace.name, pkg.name);
  });

  test("the plugin has its own folder; the repository root holds only the marketplace", () => {
    // A root .mcp.json would show up as a broken project server to anyone who opens the repository in Claude Code.
    assert.equal(existsSync(join(ROOT, ".mcp.json")), false);
    assert.equal(existsSync(join(ROOT, ".claude-plugin", "plugin.json")), false);
    for (const file of ["LICENSE", "README.md", ".mcp.json", ".claude-plugin/plugin.json", "bridge.cjs"]) assert.ok(existsSync(join(ROOT, "plugin", file)), file);
    assert.equal(readFileSync(join(ROOT, "plugin", "LICENSE"), "utf8"), readFileSync(join(ROOT, "LICENSE"), "utf8"));
  });

  test("the icon is a square PNG of 512 to 2048 pixels", () => {
    const png = readFileSync(join(ROOT, "plugin", ".claude-plugin", "icon.png"));
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.equal(width, height);
    assert.ok(width >= 512 && width <= 2048, `${width} px`);
  });

  test(".mcp.json starts the committed bundle with node from the plugin root, tuned for a small heap", () => {
    const servers = readJson("plugin/.mcp.json").mcpServers as Record<string, { command: string; args: string[] }>;
    assert.deepEqual(Object.keys(servers), ["mqtt"]);
    assert.equal(servers.mqtt!.command, "node");
    // A young generation of at most 4 MB semi-spaces and an old one grown by a fifth at a time: the bridge runs for every Claude Code session.
    assert.deepEqual(servers.mqtt!.args, ["--max-semi-space-size=4", "--heap-growing-percent=20", "${CLAUDE_PLUGIN_ROOT}/bridge.cjs"]);
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

  test("runs with nothing but Node: no node_modules, no build, no package.json", async () => {
    // The plugin folder as Claude Code installs it, away from this repository's node_modules and dist.
    const root = tempDir("claude-plugin-");
    copyFileSync(join(ROOT, BUNDLE), join(root, "bridge.cjs"));

    const b = await startBridge({ brokerUrl: broker.url, script: join(root, "bridge.cjs") });
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
