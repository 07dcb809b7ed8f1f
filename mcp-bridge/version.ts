/**
 * The package version, for the MCP server info and `status`. The plugin's bundle
 * (`plugin/bridge.cjs`) has it built in, because the plugin folder Claude Code installs
 * holds no package.json; the compiled bridge reads it at run time from the package.json
 * above the running file (two levels up from `dist/mcp-bridge/main.js`).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const PACKAGE_NAME = "node-red-contrib-claude-channel";
const LEVELS = 3;

/** Replaced by scripts/bundle.mjs with the version string; undefined in the compiled bridge. */
declare const BUNDLED_PACKAGE_VERSION: string | undefined;

export function bundledVersion(): string | undefined {
  return typeof BUNDLED_PACKAGE_VERSION === "string" ? BUNDLED_PACKAGE_VERSION : undefined;
}

export function packageVersion(fromDir: string): string | undefined {
  let dir = fromDir;
  for (let level = 0; level <= LEVELS; level++) {
    const version = versionIn(join(dir, "package.json"));
    if (version !== undefined) return version;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function versionIn(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    // No package.json at this level: look one level higher.
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { name, version } = parsed as { name?: unknown; version?: unknown };
    return name === PACKAGE_NAME && typeof version === "string" ? version : undefined;
  } catch {
    // A package.json that is not JSON is not ours.
    return undefined;
  }
}
