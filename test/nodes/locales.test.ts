/**
 * Each node's labels, status texts and help live in its `locales/en-US/` (as Node-RED's core
 * nodes keep theirs), next to the built node where Node-RED looks for them: every key the
 * editor template, editor script (claude-session's with its Claude sidebar) or runtime uses
 * has a text, and every text is used.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { coreMessages, distNodes, leafKeys, lookUp, messages, usedKeys } from "./helpers/locales.js";

const NODES = ["claude-session", "claude-gate", "claude-publish", "claude-action", "claude-permission"] as const;

describe("node locales", () => {
  const core = coreMessages();
  for (const name of NODES) {
    test(`${name}: every key it uses has an English text, and every text is used`, () => {
      const catalog = messages(name);
      assert.deepEqual(Object.keys(catalog), [name], "the node's messages sit under its own name");
      const used = usedKeys(name);
      assert.ok(used.length > 0, `${name} uses its messages`);
      const missing = used.filter((key) => (key.startsWith("node-red:") ? lookUp(core, key.slice("node-red:".length)) : lookUp(catalog, key)) === undefined);
      assert.deepEqual(missing, [], `keys ${name} uses without a text in locales/en-US/${name}.json (or Node-RED's)`);
      // `<key>_plural` is the text Node-RED's i18next picks instead of `<key>`'s for a `count` other than 1.
      const unused = leafKeys(catalog).filter((key) => !used.includes(key.replace(/_plural$/, "")));
      assert.deepEqual(unused, [], `texts in locales/en-US/${name}.json that nothing uses`);
    });

    test(`${name}: its help is in locales/en-US/${name}.html, not in the editor template`, () => {
      const help = join(distNodes, name, "locales", "en-US", `${name}.html`);
      assert.ok(existsSync(help));
      assert.match(readFileSync(help, "utf8"), new RegExp(`^<script type="text/html" data-help-name="${name}">`));
      assert.doesNotMatch(readFileSync(join(distNodes, name, `${name}.html`), "utf8"), /data-help-name/);
    });
  }
});
