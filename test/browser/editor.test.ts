/**
 * The editor in a real browser: Debian's Chromium opens a real Node-RED with this
 * package and a deployed flow, finds the package's nodes in the palette and the config
 * node list, and sees the Claude sidebar tab count a message the flow gates.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { uniquePrefix } from "../helpers/session.js";
import { chromiumMissing, showSidebarTab } from "./chromium.js";
import type { FlowNode } from "./runtime.js";
import { editorSuiteWithBroker } from "./editor-suite.js";

const missing = chromiumMissing();

function flow(brokerUrl: string): FlowNode[] {
  return [
    { id: "tab", type: "tab", label: "Home" },
    { id: "s1", type: "claude-session", name: "browserbot", broker: brokerUrl, prefix: uniquePrefix(), qos: 1, heartbeat: 60, admitted: ["home/door"], watched: [], muted: [] },
    {
      id: "i1",
      type: "inject",
      z: "tab",
      name: "front door",
      props: [{ p: "payload" }, { p: "topic", vt: "str" }],
      repeat: "",
      crontab: "",
      once: false,
      onceDelay: 0.1,
      topic: "home/door",
      payload: "opened",
      payloadType: "str",
      x: 140,
      y: 80,
      wires: [["g1"]],
    },
    { id: "g1", type: "claude-gate", z: "tab", session: "s1", mode: "lists", subject: "topic", subjectType: "msg", x: 340, y: 80, wires: [[], [], []] },
    { id: "p1", type: "claude-publish", z: "tab", session: "s1", mode: "publish", topic: "home/light", target: "", raw: true, retain: false, x: 340, y: 160, wires: [] },
  ];
}

// Without the browser the tests are reported as skipped, with the reason, never as passed.
if (missing) test("the editor in Chromium", { skip: missing }, () => undefined);
else describe("the editor in Chromium", () => {
  const editor = editorSuiteWithBroker(flow);

  test("the palette shows claude-gate and claude-publish under the claude category", async () => {
    const category = editor.page.locator("#red-ui-palette-container-claude");
    for (const type of ["claude-gate", "claude-publish"]) {
      await category.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).waitFor();
    }
  });

  test("claude-session is a config node type, and the deployed one is in the configuration nodes sidebar", async () => {
    const category = await editor.page.evaluate(() => (window as unknown as { RED: { nodes: { getType(t: string): { category: string } | undefined } } }).RED.nodes.getType("claude-session")?.category);
    assert.equal(category, "config");
    await showSidebarTab(editor.page, "config");
    await editor.page.locator("#red-ui-sidebar-node-config .red-ui-palette-node", { hasText: "browserbot" }).first().waitFor();
  });

  test("the Claude sidebar tab shows the session and counts a message the flow gates", async () => {
    await showSidebarTab(editor.page, "claude-channel");
    const panel = editor.page.locator('.claude-sidebar-session[data-session-id="s1"]');
    await panel.locator('.claude-sidebar-state[data-state="connected"]').waitFor();
    const admitted = panel.locator('[data-count="admitted"]');
    assert.equal(await admitted.textContent(), "0");
    assert.match((await panel.locator('[data-row="admitted"]').textContent()) ?? "", /home\/door/);

    const injected = await fetch(`${editor.red.url}inject/i1`, { method: "POST" });
    assert.equal(injected.status, 200);
    await panel.locator('[data-count="admitted"]', { hasText: /^1$/ }).waitFor();
    await panel.locator(".claude-sidebar-recent .claude-sidebar-preview", { hasText: "opened" }).waitFor();
  });

  test("the session's name in the Claude tab opens the node's edit dialog", async () => {
    await editor.page.locator('.claude-sidebar-session[data-session-id="s1"] .claude-sidebar-name').click();
    const name = editor.page.locator("#node-config-input-name");
    await name.waitFor();
    assert.equal(await name.inputValue(), "browserbot");
    await editor.page.locator("#node-config-dialog-cancel").click();
    await name.waitFor({ state: "detached" });
  });
});
