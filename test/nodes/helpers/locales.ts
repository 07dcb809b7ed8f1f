/**
 * The built nodes' messages (dist/nodes/<name>/locales/en-US/<name>.json) and the keys their
 * editor files and runtime code use, for the locale tests.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { requireFromNodeRed } from "../../helpers/node-red-runtime.js";

export type Catalog = { [key: string]: string | Catalog };

export const distNodes = join(__dirname, "..", "..", "..", "nodes");

function readCatalog(path: string): Catalog {
  return JSON.parse(readFileSync(path, "utf8")) as Catalog;
}

/** One node's English messages. */
export function messages(name: string): Catalog {
  return readCatalog(join(distNodes, name, "locales", "en-US", `${name}.json`));
}

/** Node-RED's own messages, which keys written `node-red:…` refer to. */
export function coreMessages(): Catalog {
  return readCatalog(join(dirname(requireFromNodeRed.resolve("@node-red/nodes/package.json")), "locales", "en-US", "messages.json"));
}

/** The text a dotted key names, if it names one. */
export function lookUp(catalog: Catalog, key: string): string | undefined {
  let at: string | Catalog | undefined = catalog;
  for (const part of key.split(".")) at = typeof at === "object" ? at[part] : undefined;
  return typeof at === "string" ? at : undefined;
}

/** Every key of a catalog that names a text. */
export function leafKeys(catalog: Catalog, prefix = ""): string[] {
  return Object.entries(catalog).flatMap(([key, value]) => (typeof value === "string" ? [prefix + key] : leafKeys(value, `${prefix}${key}.`)));
}

function files(dir: string, ending: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "locales" ? [] : files(path, ending);
    return entry.name.endsWith(ending) ? [path] : [];
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The keys a node uses: `data-i18n` attributes in its editor template (`[html]`, `[placeholder]`
 * prefixes removed), and quoted keys `"<name>.<group>.<key>"` or `"node-red:…"` in its editor
 * scripts (bundled into the .html with what they import, claude-session's Claude sidebar too)
 * and runtime code (`this._("…")`, `RED._("…")`, and tables of such keys).
 */
export function usedKeys(name: string): string[] {
  const used = new Set<string>();
  const dir = join(distNodes, name);
  const editor = readFileSync(join(dir, `${name}.html`), "utf8");
  for (const [, value] of editor.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const key of value!.split(";")) used.add(key.replace(/^\[[a-z-]+\]/, ""));
  }
  const quoted = new RegExp(`["'\`]((?:${escape(name)}\\.[A-Za-z]+\\.|node-red:)[A-Za-z0-9_.-]+)["'\`]`, "g");
  for (const text of [editor, ...files(dir, ".js").map((file) => readFileSync(file, "utf8"))]) {
    for (const [, key] of text.matchAll(quoted)) used.add(key!);
  }
  return [...used].sort();
}
