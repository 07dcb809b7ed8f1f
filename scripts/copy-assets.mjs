// Node-RED looks for a node's .html (and its icons/, locales/) next to its .js:
// copy them from nodes/<name>/ to dist/nodes/<name>/ after tsc. locales/<language>/<name>.json
// holds the node's labels and status texts, locales/<language>/<name>.html its help.
// A line `<!-- editor-script: claude-gate.editor.ts -->` in an editor .html is replaced by that
// typed editor script (checked by tsconfig.editor.json), bundled with what it imports (the
// node's property table, core's rules and limits) into one plain script, so the editor
// validates with the very functions the runtime uses.
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildSync } from "esbuild";

const EDITOR_SCRIPT = /^[ \t]*<!-- editor-script: ([A-Za-z0-9/._-]+\.editor\.ts) -->[ \t]*$/gm;

function editorScript(entry) {
  const result = buildSync({ entryPoints: [entry], bundle: true, format: "iife", target: "es2020", write: false, logLevel: "warning" });
  const code = result.outputFiles[0].text;
  if (/<\/script/i.test(code)) throw new Error(`${entry}: the bundle holds "</script", which would end the editor's script early`);
  return `<script type="text/javascript">\n${code}</script>`;
}

function copyHtml(from, to) {
  const html = readFileSync(from, "utf8").replace(EDITOR_SCRIPT, (_line, entry) => editorScript(join(dirname(from), entry)));
  writeFileSync(to, html);
}

const nodeDirs = existsSync("nodes") ? readdirSync("nodes", { withFileTypes: true }) : [];
for (const node of nodeDirs) {
  if (!node.isDirectory()) continue;
  const from = join("nodes", node.name);
  const to = join("dist", "nodes", node.name);
  for (const entry of readdirSync(from)) {
    if (entry.endsWith(".ts")) continue;
    if (entry.endsWith(".html")) copyHtml(join(from, entry), join(to, entry));
    else cpSync(join(from, entry), join(to, entry), { recursive: true, filter: (path) => !path.endsWith(".ts") });
  }
}
