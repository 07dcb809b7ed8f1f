/**
 * The example flows through the editor's own import dialog, in Chromium: Import ▸ Examples ▸
 * node-red-contrib-claude-channel lists every flow on one level, and importing all of them one
 * after another adds each flow's tab and nodes without Node-RED's "nodes already exist" dialog.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { exampleNames, readExample } from "../../demo/example-flows.js";
import { chromiumMissing } from "./chromium.js";
import { editorSuite } from "./editor-suite.js";

const missing = chromiumMissing();
const PACKAGE = "node-red-contrib-claude-channel";

type Outcome = "imported" | "conflict";

/** Waits until the example's tab is in the workspace, or Node-RED asks about nodes that already exist. */
function outcome(page: Page, tabId: string): Promise<Outcome> {
  return page
    .waitForFunction((tab) => {
      const RED = (window as unknown as { RED: { nodes: { workspace(id: string): unknown } } }).RED;
      if (RED.nodes.workspace(tab)) return "imported";
      const notices = Array.from(document.querySelectorAll(".red-ui-notification")).map((n) => n.textContent ?? "");
      return notices.some((text) => /already exist/.test(text)) ? "conflict" : undefined;
    }, tabId)
    .then(async (handle) => (await handle.jsonValue()) as Outcome);
}

function nodeIds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const RED = (window as unknown as { RED: { nodes: { eachNode(f: (n: { id: string }) => void): void; eachConfig(f: (n: { id: string }) => void): void } } }).RED;
    const ids: string[] = [];
    RED.nodes.eachNode((n) => void ids.push(n.id));
    RED.nodes.eachConfig((n) => void ids.push(n.id));
    return ids;
  });
}

if (missing) test("importing the examples in Chromium", { skip: missing }, () => undefined);
else describe("importing the examples in Chromium", () => {
  const editor = editorSuite();

  test("Import ▸ Examples lists the flows right under the package", async () => {
    const listed = await editor.page.evaluate(async (pkg) => {
      const response = await fetch(`library/examples/flows/${pkg}`, { headers: { Accept: "application/json" } });
      return (await response.json()) as Array<string | { fn: string }>;
    }, PACKAGE);
    // A folder would be listed as its name; there is none, only the flows.
    assert.deepEqual(listed.map((entry) => (typeof entry === "string" ? `${entry}/` : entry.fn)), exampleNames());
  });

  test("every example imports, one after another, through the import dialog, without the conflict dialog", async () => {
    for (const name of exampleNames()) {
      const flow = readExample(name);
      const tab = flow.find((n) => n.type === "tab")!;
      await editor.page.evaluate(() => (window as unknown as { RED: { actions: { invoke(a: string): void } } }).RED.actions.invoke("core:show-examples-import-dialog"));
      const dialog = editor.page.locator("#red-ui-clipboard-dialog-import-tab-examples");
      const pkg = dialog.locator(".red-ui-treeList-label", { hasText: PACKAGE });
      const item = dialog.locator(".red-ui-treeList-label", { hasText: new RegExp(`^${name}$`) });
      await pkg.waitFor();
      // The package's folder may still be open from the last import; a click would close it.
      if (!(await item.isVisible())) await pkg.click();
      // A click while the tree is still being drawn may select nothing (Import stays disabled): then once more.
      const ok = editor.page.locator("#red-ui-clipboard-dialog-ok");
      for (let attempt = 0; attempt < 3 && !(await ok.isEnabled()); attempt++) {
        await item.click();
        await ok.waitFor({ state: "visible" });
        await editor.page.waitForFunction(() => !(document.querySelector("#red-ui-clipboard-dialog-ok") as HTMLButtonElement | null)?.disabled, undefined, { timeout: 5000 }).catch(() => undefined);
      }
      await ok.click();
      assert.equal(await outcome(editor.page, tab.id), "imported", `${name} imported without the conflict dialog`);
      const ids = new Set(await nodeIds(editor.page));
      const absent = flow.filter((n) => n.type !== "tab" && !ids.has(n.id)).map((n) => n.id);
      assert.deepEqual(absent, [], `${name}'s nodes are in the workspace under their own ids`);
    }
  });
});
