// Node-RED looks for a node's .html (and its icons/, locales/) next to its .js:
// copy them from nodes/<name>/ to dist/nodes/<name>/ after tsc.
import { cpSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

for (const node of existsSync("nodes") ? readdirSync("nodes", { withFileTypes: true }) : []) {
  if (!node.isDirectory()) continue;
  const from = join("nodes", node.name);
  const to = join("dist", "nodes", node.name);
  for (const entry of readdirSync(from)) {
    if (entry.endsWith(".ts")) continue;
    cpSync(join(from, entry), join(to, entry), { recursive: true });
  }
}
for (const extra of ["nodes/icons", "nodes/locales"]) {
  if (existsSync(extra)) cpSync(extra, join("dist", extra), { recursive: true });
}
