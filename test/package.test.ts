/**
 * The npm package as `npm pack` makes it from a clean clone: prepack builds, so the
 * tarball holds the nodes (with their locales) and the bridge; it carries its licence and links, and no
 * source map points at a file it does not ship.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./helpers/session.js";

const ROOT = join(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
const REPOSITORY = "https://github.com/node-red-contrib-claude-channel/node-red-contrib-claude-channel";

describe("the npm package", () => {
  let clone: string;
  let files: string[];

  before(() => {
    // A clean clone (the committed files only), sharing this checkout's installed dependencies.
    clone = join(tempDir("claude-clone-"), "repo");
    const cloned = spawnSync("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone], { encoding: "utf8" });
    assert.equal(cloned.status, 0, cloned.stderr);
    symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");
    const packed = spawnSync("npm", ["pack", "--dry-run", "--json"], { cwd: clone, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
    assert.equal(packed.status, 0, packed.stderr);
    files = (JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  });
  after(() => {
    if (clone) rmSync(join(clone, ".."), { recursive: true, force: true });
  });

  test("npm pack of a clean clone builds first and ships the nodes and the bridge", () => {
    for (const node of Object.values((pkg["node-red"] as { nodes: Record<string, string> }).nodes)) {
      assert.ok(files.includes(node), node);
      assert.ok(files.includes(node.replace(/\.js$/, ".html")), `${node}'s editor`);
      // Node-RED looks for a node's messages and help in locales/ beside its .js.
      const locale = node.replace(/([^/]+)\.js$/, "locales/en-US/$1");
      for (const file of [`${locale}.json`, `${locale}.html`]) assert.ok(files.includes(file), `${file}: the node's messages and help`);
    }
    assert.ok(files.includes((pkg.bin as Record<string, string>)["claude-channel-bridge"]!));
    assert.ok(files.includes("LICENSE"));
    assert.ok(files.includes("README.md"));
  });

  test("no source map points at a source the package does not ship", () => {
    const maps = files.filter((f) => f.endsWith(".map"));
    assert.deepEqual(maps, []);
  });

  test("nothing of the tests, the demo or the plugin's bundle goes into the package", () => {
    assert.deepEqual(files.filter((f) => /^(dist\/(test|demo|bench)\/|test\/|plugin\/)/.test(f)), []);
  });

  test("package.json names the licence, the author and where the project lives", () => {
    assert.equal(pkg.license, "MIT");
    assert.match(readFileSync(join(ROOT, "LICENSE"), "utf8"), /^MIT License\n/);
    assert.equal(typeof pkg.author, "string");
    assert.equal(pkg.homepage, `${REPOSITORY}#readme`);
    assert.deepEqual(pkg.repository, { type: "git", url: `git+${REPOSITORY}.git` });
    assert.deepEqual(pkg.bugs, { url: `${REPOSITORY}/issues` });
    assert.equal((pkg.scripts as Record<string, string>).prepack, "npm run build");
  });
});
