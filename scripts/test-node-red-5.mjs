// Runs the suites that load Node-RED (node tests, example flows, end-to-end, editor) on
// Node-RED 5.x, which needs Node >= 22.9. Both come from npm into .cache/node-red-5/
// (kept between runs); the tests are the built ones, so run `npm test` (or `npm run build`) first.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";

const NODE_RED = "5.0.7";
const NODE = "22";
const dir = resolve(".cache", "node-red-5");
const nodeBin = join(dir, "node_modules", ".bin", "node");
const nodeRedDir = join(dir, "node_modules", "node-red");

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const stamp = join(dir, `installed-${NODE_RED}-node${NODE}`);
if (!existsSync(stamp)) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true }));
  run("npm", ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", `node@${NODE}`, `node-red@${NODE_RED}`], { cwd: dir });
  writeFileSync(stamp, "");
}
const filters = process.argv.slice(2);
const suites = filters.length > 0 ? filters : ["test/nodes", "test/examples", "test/e2e", "test/browser"];
run(nodeBin, ["--version"]);
run(nodeBin, ["scripts/run-tests.mjs", ...suites], {
  env: { ...process.env, NODE_RED_DIR: nodeRedDir },
});
