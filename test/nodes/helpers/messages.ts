/**
 * The nodes' messages (locales/en-US/<name>.json) looked up with Node-RED's own i18n, as the
 * runtime does for a node's `RED._`. node-red-node-test-helper hands nodes a `RED._` that
 * returns the key; a node loaded through `localised` gets the real text instead, so tests
 * see the status texts a user sees.
 */
import { dirname, join } from "node:path";
import type { NodeAPI, NodeInitializer } from "node-red";
import { PACKAGE_NAME } from "../../../session/package-version.js";
import { requireFromNodeRed } from "../../helpers/node-red-runtime.js";

interface NodeRedI18n {
  init(settings: { lang?: string }): void;
  registerMessageCatalog(namespace: string, dir: string, file: string): Promise<void>;
  _(key: string, substitutions?: Record<string, string | number>): string;
}

const i18n = (requireFromNodeRed("@node-red/util") as { i18n: NodeRedI18n }).i18n;
const distNodes = join(__dirname, "..", "..", "..", "nodes");

let ready: Promise<void> | undefined;

/** Node-RED's core messages (`node-red:…`) and each named node's, loaded once. */
function catalogs(names: readonly string[]): Promise<void> {
  ready ??= (async () => {
    i18n.init({ lang: "en-US" });
    const coreLocales = join(dirname(requireFromNodeRed.resolve("@node-red/nodes/package.json")), "locales");
    await i18n.registerMessageCatalog("node-red", coreLocales, "messages.json");
    for (const name of names) await i18n.registerMessageCatalog(`${PACKAGE_NAME}/${name}`, join(distNodes, name, "locales"), `${name}.json`);
  })();
  return ready;
}

/** `init` with a `RED._` that looks keys up in the node's own messages, as Node-RED's registry makes it. */
export function localised(name: string, init: NodeInitializer, names: readonly string[]): NodeInitializer {
  const namespace = `${PACKAGE_NAME}/${name}`;
  const _: NodeAPI["_"] = (key, substitutions) => i18n._(key.includes(":") ? key : `${namespace}:${key}`, substitutions);
  return async (RED) => {
    await catalogs(names);
    await init(Object.create(RED, { _: { value: _ } }) as NodeAPI);
  };
}
