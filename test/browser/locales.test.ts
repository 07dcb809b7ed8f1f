/**
 * The nodes' labels, node labels and help in Chromium, as a user sees them: Node-RED's editor
 * fills the templates from locales/en-US/<node>.json and shows locales/en-US/<node>.html as
 * help, so the dialogs and the Claude sidebar show words, never a raw message key.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { uniquePrefix } from "../helpers/session.js";
import { chromiumMissing, showSidebarTab } from "./chromium.js";
import type { FlowNode } from "./runtime.js";
import { editorSuiteWithBroker } from "./editor-suite.js";

const missing = chromiumMissing();

/** A sender that reads like a message placeholder and like HTML: the sidebar shows it as it is. */
const SENDER = "__count__ <b>hall</b>";

function flow(brokerUrl: string): FlowNode[] {
  return [
    { id: "tab", type: "tab", label: "Locales" },
    {
      id: "s1",
      type: "claude-session",
      name: "kitchen",
      broker: brokerUrl,
      prefix: uniquePrefix(),
      qos: 1,
      heartbeat: 60,
      admitted: ["home/door"],
      watched: [],
      muted: [],
      credentials: { linkKey: "k".repeat(43) },
    },
    {
      id: "i1",
      type: "inject",
      z: "tab",
      props: [{ p: "payload" }, { p: "topic", vt: "str" }],
      repeat: "",
      crontab: "",
      once: false,
      onceDelay: 0.1,
      topic: "home/door",
      payload: JSON.stringify({ sender: SENDER, content: "opened" }),
      payloadType: "json",
      x: 80,
      y: 100,
      wires: [["g1"]],
    },
    { id: "g1", type: "claude-gate", z: "tab", session: "s1", mode: "admit", subject: "topic", subjectType: "msg", x: 200, y: 100, wires: [[], [], []] },
    { id: "p1", type: "claude-publish", z: "tab", session: "s1", mode: "inbox", topic: "", target: "hall", raw: false, retain: false, x: 200, y: 180, wires: [] },
    { id: "a1", type: "claude-action", z: "tab", session: "s1", pattern: "home/commands/#", timeout: 30, x: 200, y: 260, wires: [[]] },
    { id: "q1", type: "claude-permission", z: "tab", session: "s1", x: 200, y: 340, wires: [[]] },
  ];
}

/** A message key as the editor would show it untranslated: `claude-gate.label.mode` and the like. */
const RAW_KEY = /claude-[a-z]+\.[a-z]+\.[A-Za-z]/;

interface EditorWindow {
  RED: {
    nodes: { node(id: string): EditorNodeLike };
    utils: { getNodeLabel(node: EditorNodeLike): string };
    editor: { edit(node: EditorNodeLike): void; editConfig(name: string, type: string, id: string): void };
  };
}
interface EditorNodeLike {
  _def: { outputLabels?: (this: EditorNodeLike, index: number) => string };
}

/** The words a dialog shows: its labels, options, buttons, tips and placeholders. */
async function dialogWords(page: Page, form: string): Promise<string[]> {
  return page.locator(form).evaluate((element) => {
    const words: string[] = [];
    element.querySelectorAll("label, option, button, .form-tips, span").forEach((node) => words.push((node.textContent ?? "").trim()));
    element.querySelectorAll("input[placeholder]").forEach((input) => words.push(input.getAttribute("placeholder") ?? ""));
    return words.filter((word) => word !== "");
  });
}

/** Every text and tooltip of the Claude sidebar tab, and the tab's name in the View menu (Node-RED 4 lists it there). */
async function sidebarWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const words: string[] = [];
    for (const root of Array.from(document.querySelectorAll('.claude-sidebar, [id="menu-item-view-menu-claude-channel"]'))) {
      const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let text = texts.nextNode(); text; text = texts.nextNode()) words.push((text.textContent ?? "").trim());
      root.querySelectorAll("[title]").forEach((element) => words.push(element.getAttribute("title") ?? ""));
    }
    return words.filter((word) => word !== "");
  });
}

async function closeDialog(page: Page, cancel: string, field: string): Promise<void> {
  await page.locator(cancel).click();
  await page.locator(field).waitFor({ state: "detached" });
}

if (missing) test("the nodes' messages in Chromium", { skip: missing }, () => undefined);
else describe("the nodes' messages in Chromium", () => {
  const editor = editorSuiteWithBroker(flow);

  test("node labels and output labels come from the nodes' messages", async () => {
    await editor.page.locator('[id="g1"]').waitFor();
    const labels = await editor.page.evaluate(() => {
      const { RED } = window as unknown as EditorWindow;
      const label = (id: string): string => RED.utils.getNodeLabel(RED.nodes.node(id));
      const outputs = (id: string, count: number): string[] => {
        const node = RED.nodes.node(id);
        return Array.from({ length: count }, (_, index) => node._def.outputLabels!.call(node, index));
      };
      return { gate: label("g1"), publish: label("p1"), gateOutputs: outputs("g1", 3), action: outputs("a1", 1), permission: outputs("q1", 1) };
    });
    assert.deepEqual(labels, {
      gate: "claude-gate (admit all)",
      publish: "claude-publish → hall",
      gateOutputs: ["admitted", "watched", "dropped"],
      action: ["Claude's action"],
      permission: ["permission request"],
    });
  });

  test("the edit dialogs show their labels in words, not message keys", async () => {
    const page = editor.page;
    const expected: Record<string, string[]> = {
      g1: ["Session", "Decide by", "the session's lists", "admit every message", "Subject", "Name"],
      p1: ["Send", "to a session's inbox", "Also to", "Raw (payload as it is, no envelope)", "Retain"],
      a1: ["Topics", "Wait", "s for the flow's answer"],
      q1: ["Session", "Name"],
    };
    for (const [id, words] of Object.entries(expected)) {
      await page.evaluate((nodeId) => {
        const { RED } = window as unknown as EditorWindow;
        RED.editor.edit(RED.nodes.node(nodeId));
      }, id);
      await page.locator("#node-input-name").waitFor();
      const shown = await dialogWords(page, "#dialog-form");
      for (const word of words) assert.ok(shown.includes(word), `${id}'s dialog shows "${word}": ${JSON.stringify(shown)}`);
      assert.deepEqual(shown.filter((word) => RAW_KEY.test(word)), [], `${id}'s dialog shows no message key`);
      await closeDialog(page, "#node-dialog-cancel", "#node-input-name");
    }

    await page.evaluate(() => (window as unknown as EditorWindow).RED.editor.editConfig("", "claude-session", "s1"));
    await page.locator("#red-ui-tab-claude-session-tab-connection").waitFor();
    const tabs = await page.locator("#node-config-claude-session-tabs .red-ui-tab-label").allTextContents();
    assert.deepEqual(tabs.map((tab) => tab.trim()), ["Connection", "Security", "Lists"]);
    const shown = await dialogWords(page, "#node-config-dialog-edit-form");
    for (const word of ["Session", "Broker", "Heartbeat", "Broker keeps", "Link key", "Generate", "Admitted", "Claude may publish to", "Keep watched", "e.g. kitchen (letters, digits, _ and -)"]) {
      assert.ok(shown.includes(word), `the session dialog shows "${word}": ${JSON.stringify(shown)}`);
    }
    assert.deepEqual(shown.filter((word) => RAW_KEY.test(word)), [], "the session dialog shows no message key");
    await closeDialog(page, "#node-config-dialog-cancel", "#node-config-input-name");
  });

  test("each node's help comes from its locales", async () => {
    const help = await editor.page.evaluate(() =>
      ["claude-session", "claude-gate", "claude-publish", "claude-action", "claude-permission"].map((type) => document.querySelector(`script[data-help-name="${type}"]`)?.textContent ?? ""),
    );
    assert.match(help[0]!, /A Claude session on an MQTT broker/);
    assert.match(help[1]!, /Decides which flow messages Claude sees/);
    assert.match(help[2]!, /Sends <code>msg.payload<\/code> over MQTT as the session/);
    assert.match(help[3]!, /Claude's actions through the flow/);
    assert.match(help[4]!, /Claude Code's permission prompts through the flow/);
  });

  test("the Claude sidebar shows its words, not message keys", async () => {
    const page = editor.page;
    await showSidebarTab(page, "claude-channel");
    const panel = page.locator('.claude-sidebar-session[data-session-id="s1"]');
    await panel.locator('.claude-sidebar-state[data-state="connected"]').waitFor();
    assert.equal((await fetch(`${editor.red.url}inject/i1`, { method: "POST" })).status, 200);
    await panel.locator(".claude-sidebar-recent .claude-sidebar-preview", { hasText: "opened" }).waitFor();

    const shown = await sidebarWords(page);
    assert.deepEqual(shown.filter((word) => RAW_KEY.test(word)), [], "the Claude sidebar shows no message key");
    for (const word of [
      "Refresh",
      "pinned by the flow's owner",
      "connected",
      "kitchen: edit this claude-session node",
      "Flow link",
      "Admitted",
      "Buffer",
      "none",
      "Last admitted (1)",
      `from ${SENDER} (claimed)`,
      "Permission requests waiting (0) · allowed 0, denied 0, expired 0",
    ]) {
      assert.ok(shown.includes(word), `the Claude sidebar shows "${word}": ${JSON.stringify(shown)}`);
    }
    assert.ok(
      shown.some((word) => /^no bridge attached · outbox \d+ of \d+ · refused frames 0$/.test(word)),
      `the flow link row reads in words: ${JSON.stringify(shown)}`,
    );
    assert.ok(
      shown.some((word) => /^\(0 topics, 0 B of \d+\.\d MiB; keeps \d+ s, \d+ per topic\)$/.test(word)),
      `the buffer row reads in words: ${JSON.stringify(shown)}`,
    );
  });
});
