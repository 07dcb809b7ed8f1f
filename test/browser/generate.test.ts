/**
 * The claude-session dialog's Generate button in Chromium: the `.env` lines it shows follow
 * the session name, broker and prefix as they are typed, also when the key was generated
 * first, and the form marks a bad session name as it is typed.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { chromiumMissing } from "./chromium.js";
import type { FlowNode } from "./runtime.js";
import { editorSuite } from "./editor-suite.js";

const missing = chromiumMissing();

const FLOW: FlowNode[] = [
  { id: "tab", type: "tab", label: "Generate" },
  { id: "s1", type: "claude-session", name: "", broker: "mqtt://localhost:1883", prefix: "", qos: 1, heartbeat: 60, admitted: [], watched: [], muted: [] },
  { id: "g1", type: "claude-gate", z: "tab", session: "s1", mode: "lists", subject: "topic", subjectType: "msg", x: 200, y: 100, wires: [[], [], []] },
];

/**
 * Opens s1's edit dialog and waits until it is ready to type in: prepared (its tabs exist once
 * oneditprepare has run, after Node-RED's own checks are attached) and opened, which ends with
 * the tray focusing its first field some 150 ms later. Keys typed before that focus step would
 * be split between two fields.
 */
async function openSessionDialog(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { RED: { editor: { editConfig(name: string, type: string, id: string): void } } }).RED.editor.editConfig("", "claude-session", "s1"));
  await page.locator("#red-ui-tab-claude-session-tab-connection").waitFor();
  await page.waitForFunction(() => document.querySelector("#node-config-input-name")?.closest(".red-ui-tray")?.contains(document.activeElement) === true);
}

/**
 * Shows a tab of the dialog. Node-RED's tabs take two clicks within 400 ms, on any tabs, as a
 * double click, so a click that came too soon after the last one is repeated.
 */
async function showTab(page: Page, id: string): Promise<void> {
  const tab = page.locator(`#red-ui-tab-claude-session-tab-${id}`);
  for (let attempt = 0; attempt < 3 && !/\bactive\b/.test((await tab.getAttribute("class")) ?? ""); attempt++) {
    await tab.locator(".red-ui-tab-label").click();
  }
  await page.locator(`#red-ui-tab-claude-session-tab-${id}.active`).waitFor();
}

async function envLines(page: Page): Promise<string[]> {
  return ((await page.locator("#node-config-claude-session-env").textContent()) ?? "").split("\n");
}

if (missing) test("Generate in Chromium", { skip: missing }, () => undefined);
else describe("Generate in Chromium", () => {
  const editor = editorSuite(() => FLOW);

  test("the .env lines follow the name, broker and prefix typed after Generate, until the dialog closes", async () => {
    await openSessionDialog(editor.page);
    const name = editor.page.locator("#node-config-input-name");
    await name.waitFor();
    await showTab(editor.page, "security");
    await editor.page.locator("#node-config-claude-session-generate").click();
    const key = await editor.page.locator("#node-config-input-linkKey").inputValue();
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await envLines(editor.page), [
      "SESSION_NAME=",
      "MQTT_BROKER_URL=mqtt://localhost:1883",
      "MQTT_TOPIC_PREFIX=claude",
      "SESSION_HOST=flow",
      `SESSION_LINK_KEY=${key}`,
    ]);

    await name.fill("kitchen");
    await showTab(editor.page, "connection");
    await editor.page.locator("#node-config-input-broker").fill("mqtts://broker.example:8883");
    await editor.page.locator("#node-config-input-prefix").fill("home/claude");
    assert.deepEqual(await envLines(editor.page), [
      "SESSION_NAME=kitchen",
      "MQTT_BROKER_URL=mqtts://broker.example:8883",
      "MQTT_TOPIC_PREFIX=home/claude",
      "SESSION_HOST=flow",
      `SESSION_LINK_KEY=${key}`,
    ]);

    await editor.page.locator("#node-config-dialog-cancel").click();
    await name.waitFor({ state: "detached" });
    await openSessionDialog(editor.page);
    await name.waitFor();
    assert.equal(await editor.page.locator("#node-config-claude-session-env-row").isVisible(), false, "the lines are shown only after Generate");
    await editor.page.locator("#node-config-dialog-cancel").click();
    await name.waitFor({ state: "detached" });
  });

  test("a bad session name is marked in the form as it is typed", async () => {
    await openSessionDialog(editor.page);
    const name = editor.page.locator("#node-config-input-name");
    await name.waitFor();
    // Node-RED checks a field on its keyup and change events, so the name is typed key by key.
    await name.pressSequentially("my kitchen!");
    await editor.page.locator("#node-config-input-name.input-error").waitFor();
    await name.fill("");
    await name.pressSequentially("kitchen");
    await editor.page.locator("#node-config-input-name:not(.input-error)").waitFor();
    await editor.page.locator("#node-config-dialog-cancel").click();
    await name.waitFor({ state: "detached" });
  });
});
