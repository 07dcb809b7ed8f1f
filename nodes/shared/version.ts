/** The package version, shown in the session's status. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function packageVersion(): string {
  // dist/nodes/shared/version.js → the package root
  const text = readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8");
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === "string" ? version : "unknown";
}
