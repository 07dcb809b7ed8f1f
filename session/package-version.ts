/**
 * The package version both hosts report: the bridge in its MCP server info and `status`,
 * the claude-session node in the session's status. The plugin's bundle (`plugin/bridge.cjs`)
 * has it built in, because the plugin folder Claude Code installs holds no package.json;
 * compiled code reads it at run time from the package.json of this package above the
 * running file (`dist/mcp-bridge/` is two levels below it, `dist/nodes/<name>/` three).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const PACKAGE_NAME = "node-red-contrib-claude-channel";
const LEVELS = 3;

/** Replaced by scripts/bundle.mjs with the version string; undefined in the compiled code. */
declare const BUNDLED_PACKAGE_VERSION: string | undefined;

/** The built-in version, else the one of the package.json found from `fromDir` upwards, else "unknown". */
export function packageVersion(fromDir: string): string {
  if (typeof BUNDLED_PACKAGE_VERSION === "string") return BUNDLED_PACKAGE_VERSION;
  let dir = fromDir;
  for (let level = 0; level <= LEVELS; level++) {
    const version = versionIn(join(dir, "package.json"));
    if (version !== undefined) return version;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return "unknown";
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
