/**
 * The plugin as the real Claude Code CLI sees it: both manifests pass
 * `claude plugin validate --strict`, and the README's install commands, run exactly as
 * written against a local marketplace, install a plugin whose MCP server connects.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { buildMarketplace, CHANNEL_SOURCE, ClaudeCode, claudeCodeMissing, MARKETPLACE, ROOT } from "./harness.js";
import { ModelServer } from "./model-server.js";

const missing = claudeCodeMissing();

/** The shell blocks of the README's "Install the plugin" section, as lists of command lines. */
function installBlocks(): string[][] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("### Install the plugin");
  const section = readme.slice(start, readme.indexOf("\n### ", start + 1));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim().split("\n"));
}

if (missing) test("the plugin in the real Claude Code CLI", { skip: missing }, () => undefined);
else describe("the plugin in the real Claude Code CLI", () => {
  let model: ModelServer;
  let broker: TestBroker;
  let cc: ClaudeCode;

  before(async () => {
    model = await ModelServer.start();
    broker = await startBroker();
    cc = ClaudeCode.prepare({ model, bridgeEnv: { MQTT_BROKER_URL: broker.url, SESSION_NAME: "installer" } });
  });
  after(async () => {
    await cc?.stop();
    await broker?.stop();
    await model?.stop();
  });

  test("claude plugin validate --strict passes for the marketplace and for the plugin", async () => {
    const marketplace = await cc.claude(["plugin", "validate", "--strict", ROOT]);
    assert.match(marketplace.stdout, /Validation passed/);
    const plugin = await cc.claude(["plugin", "validate", "--strict", join(ROOT, "plugin")]);
    assert.match(plugin.stdout, /Validation passed/);
    assert.doesNotMatch(plugin.stdout, /ICON_MISSING/);
  });

  test("the README's commands for a clone install the plugin, and its MCP server connects", async () => {
    const fromClone = installBlocks().find((lines) => lines.some((line) => line.includes(`./${MARKETPLACE}`)));
    assert.ok(fromClone, "the README shows how to install from a clone");
    // A clone's folder, named as the clone command names it, beside the working directory.
    const parent = join(cc.workDir, "checkouts");
    mkdirSync(parent);
    buildMarketplace(parent);
    for (const line of fromClone) await cc.shell(line, parent);
    const listed = await cc.claude(["plugin", "list"]);
    assert.match(listed.stdout, new RegExp(`mqtt@${MARKETPLACE}`));
    const servers = await cc.claude(["mcp", "list"]);
    const line = servers.stdout.split("\n").find((l) => l.startsWith(CHANNEL_SOURCE));
    assert.ok(line, servers.stdout);
    assert.match(line, /Connected/);
  });

  test("the README's start command names the installed plugin", () => {
    const start = installBlocks().flat().find((line) => line.includes("--dangerously-load-development-channels"));
    assert.ok(start?.endsWith(`plugin:mqtt@${MARKETPLACE}`), start);
  });
});
