// Node-RED looks for a node's .html (and its icons/, locales/) next to its .js:
// copy them from nodes/<name>/ to dist/nodes/<name>/ after tsc.
// An editor .html may hold the line `<!-- core-for-editor: topics session-name -->`: it is
// replaced by those dependency-free core modules, so the editor validates with the very
// functions the runtime uses (exposed as window.ClaudeChannelCore).
// The line `<!-- editor-script: sidebar/sidebar.editor.ts -->` is replaced by that typed
// editor script (checked by tsconfig.editor.json), bundled into one plain script.
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildSync } from "esbuild";

const MARKER = /^[ \t]*<!-- core-for-editor: ([a-z0-9 -]+) -->[ \t]*$/m;
const EDITOR_SCRIPT = /^[ \t]*<!-- editor-script: ([A-Za-z0-9/._-]+\.editor\.ts) -->[ \t]*$/gm;

function editorScript(entry) {
  const result = buildSync({ entryPoints: [entry], bundle: true, format: "iife", target: "es2020", write: false, logLevel: "warning" });
  const code = result.outputFiles[0].text;
  if (/<\/script/i.test(code)) throw new Error(`${entry}: the bundle holds "</script", which would end the editor's script early`);
  return `<script type="text/javascript">\n${code}</script>`;
}

function coreForEditor(names) {
  const modules = names.map((name) => {
    const code = readFileSync(join("dist", "core", `${name}.js`), "utf8").replace(/^\/\/# sourceMappingURL=.*$/m, "");
    if (/\brequire\(/.test(code)) throw new Error(`core/${name} imports other modules; only dependency-free modules can go into the editor`);
    return `(function (exports) {\n${code}\n})(core);`;
  });
  return [
    '<script type="text/javascript">',
    "(function () {",
    "  // The one Node API these modules use.",
    "  var Buffer = { byteLength: function (text) { return new TextEncoder().encode(String(text)).length; } };",
    "  var core = {};",
    ...modules,
    "  window.ClaudeChannelCore = core;",
    "})();",
    "</script>",
  ].join("\n");
}

function copyHtml(from, to) {
  let html = readFileSync(from, "utf8");
  const found = MARKER.exec(html);
  if (found) html = html.replace(MARKER, () => coreForEditor(found[1].trim().split(/\s+/)));
  html = html.replace(EDITOR_SCRIPT, (_line, entry) => editorScript(join(dirname(from), entry)));
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
for (const extra of ["nodes/icons", "nodes/locales"]) {
  if (existsSync(extra)) cpSync(extra, join("dist", extra), { recursive: true });
}
