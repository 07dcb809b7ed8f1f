// Builds plugin/bridge.cjs: the bridge with everything it imports (MCP SDK, mqtt.js, zod,
// and our own core/ and session/) in one CommonJS file, so that the Claude Code
// plugin runs from a plain clone with nothing but Node >= 20: no install, no build.
// The package version is built in: the plugin folder Claude Code installs has no package.json.
// Minified, with the licence comments kept at the end of the file.
// `--check` rebuilds in memory and fails when the committed file differs from it.
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "plugin", "bridge.cjs");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const result = await build({
  absWorkingDir: root,
  entryPoints: ["mcp-bridge/main.ts"],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  // Minified: the file is generated (see .gitattributes) and read by node, not by people; names are
  // kept so that errors and stack traces still name the class or function they come from.
  minify: true,
  keepNames: true,
  // Only the licence comments that must travel with the code, gathered at the end.
  legalComments: "eof",
  define: { BUNDLED_PACKAGE_VERSION: JSON.stringify(version) },
  write: false,
  logLevel: "warning",
});
const built = result.outputFiles[0].contents;

if (process.argv.includes("--check")) {
  let committed;
  try {
    committed = readFileSync(outfile);
  } catch (err) {
    console.error(`${outfile} is missing (${err.message}); run npm run bundle`);
    process.exit(1);
  }
  if (!Buffer.from(built).equals(committed)) {
    console.error(`${outfile} is out of date with the sources; run npm run bundle and commit it`);
    process.exit(1);
  }
} else {
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, built, { mode: 0o755 });
  console.error(`wrote ${outfile} (${Math.round(built.length / 1024)} KiB)`);
}
