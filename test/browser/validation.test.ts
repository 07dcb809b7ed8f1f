/**
 * The editor refuses bad property values before the deploy, with the runtime's own rules:
 * Chromium opens a real Node-RED, and the editor's own `RED.editor.validateNode` judges
 * claude-session, claude-gate and claude-publish with bad and good values; a bad session
 * shows the red triangle on the canvas node using it and the invalid marker on the config
 * node, and a good one clears both.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { chromiumMissing, showSidebarTab } from "./chromium.js";
import type { FlowNode } from "./runtime.js";
import { editorSuite } from "./editor-suite.js";

const missing = chromiumMissing();

const FLOW: FlowNode[] = [
  { id: "tab", type: "tab", label: "Checks" },
  { id: "s1", type: "claude-session", name: "checkbot", broker: "mqtt://127.0.0.1:1", prefix: "claude", qos: 1, heartbeat: 60, bufferMaxAge: "", bufferMaxPerTopic: "", admitted: [], watched: [], muted: [] },
  { id: "g1", type: "claude-gate", z: "tab", session: "s1", mode: "lists", subject: "topic", subjectType: "msg", x: 200, y: 100, wires: [[], [], []] },
  { id: "p1", type: "claude-publish", z: "tab", session: "s1", mode: "publish", topic: "home/light", target: "", raw: false, retain: false, x: 200, y: 200, wires: [] },
];

type Case = [node: string, property: string, value: unknown, reason?: RegExp];

const BAD: Case[] = [
  ["s1", "name", "my kitchen!", /contains " ", "!"/],
  ["s1", "name", ""],
  ["s1", "broker", "garbage", /not a URL; accepted: a URL such as mqtt:\/\/host:1883/],
  ["s1", "broker", "http://example.org", /protocol "http" is not supported/],
  ["s1", "prefix", "#", /MQTT wildcard/],
  ["s1", "prefix", "$SYS", /starts with "\$"/],
  ["s1", "qos", 7, /accepted: 0, 1 or 2/],
  ["s1", "qos", "7", /accepted: 0, 1 or 2/],
  ["s1", "heartbeat", 0, /0 is below 1/],
  ["s1", "heartbeat", "1.5", /not a whole number/],
  ["s1", "bufferMaxAge", "0", /not above 0/],
  ["s1", "bufferMaxPerTopic", "10001", /above 10000/],
  ["s1", "admitted", ["home#"], /pattern "home#": "#" must fill a whole level/],
  ["s1", "watched", ["a/#/b"], /"#" is only allowed as the last level/],
  ["s1", "muted", ["ok", "x+"], /"\+" must fill a whole level/],
  ["g1", "mode", "maybe", /accepted: "lists", "admit" or "watch"/],
  ["g1", "subjectType", "nonsense", /accepted: "msg", "flow"/],
  ["p1", "mode", "shout", /accepted: "publish", "inbox" or "reply"/],
  ["p1", "topic", "home/+", /wildcard/],
  ["p1", "target", "bad name", /contains " "/],
];

const GOOD: Case[] = [
  ["s1", "name", "kitchen-1"],
  ["s1", "broker", "mqtts://broker.example:8883"],
  ["s1", "broker", "ws://127.0.0.1:9001/mqtt"],
  ["s1", "prefix", "home/claude"],
  ["s1", "prefix", ""],
  ["s1", "qos", "0"],
  ["s1", "qos", 2],
  ["s1", "heartbeat", "30"],
  ["s1", "bufferMaxAge", "90.5"],
  ["s1", "bufferMaxPerTopic", "10000"],
  ["s1", "admitted", ["home/+/door", "home/#", "alice"]],
  ["g1", "mode", "admit"],
  ["g1", "subjectType", "jsonata"],
  ["p1", "mode", "inbox"],
  ["p1", "topic", ""],
  ["p1", "target", "office"],
];

interface Judged {
  valid: boolean;
  errors: string[];
}

/** Sets `property` on the editor's node, runs the editor's validateNode, and puts the old value back. */
function judge(page: Page, [id, property, value]: Case): Promise<Judged> {
  return page.evaluate(
    ({ id, property, value }) => {
      type EditorNode = Record<string, unknown> & { valid?: boolean; validationErrors?: string[] };
      const RED = (window as unknown as { RED: { nodes: { node(id: string): EditorNode }; editor: { validateNode(n: EditorNode): boolean } } }).RED;
      const node = RED.nodes.node(id);
      const before = node[property];
      node[property] = value;
      const valid = RED.editor.validateNode(node);
      const errors = (node.validationErrors ?? []).map(String);
      node[property] = before;
      RED.editor.validateNode(node);
      return { valid, errors };
    },
    { id, property, value },
  );
}

/** Sets a property of the session, then validates it and its users and redraws, as the editor does after an edit. */
function setSession(page: Page, property: string, value: unknown): Promise<void> {
  return page.evaluate(
    ({ property, value }) => {
      type EditorNode = Record<string, unknown>;
      const RED = (window as unknown as {
        RED: {
          nodes: { node(id: string): EditorNode };
          editor: { validateNode(n: EditorNode): boolean };
          view: { redraw(full: boolean): void };
          sidebar: { config: { refresh(): void } };
        };
      }).RED;
      RED.nodes.node("s1")[property] = value;
      for (const id of ["s1", "g1", "p1"]) {
        const node = RED.nodes.node(id);
        node.dirty = true;
        RED.editor.validateNode(node);
      }
      RED.view.redraw(true);
      RED.sidebar.config.refresh();
    },
    { property, value },
  );
}

/** Whether the configuration nodes sidebar marks s1 (found by its label's broker part) invalid. */
async function configMarkedInvalid(page: Page): Promise<boolean> {
  const entry = page.locator("#red-ui-sidebar-node-config .red-ui-palette-node-config", { hasText: "@ mqtt://127.0.0.1:1" });
  assert.equal(await entry.count(), 1);
  return /\bred-ui-palette-node-config-invalid\b/.test((await entry.getAttribute("class")) ?? "");
}

if (missing) test("the editor's validation in Chromium", { skip: missing }, () => undefined);
else describe("the editor's validation in Chromium", () => {
  const editor = editorSuite(() => FLOW);

  test("the deployed nodes are valid as they are", async () => {
    for (const id of ["s1", "g1", "p1"]) assert.deepEqual(await judge(editor.page, [id, "name", id === "s1" ? "checkbot" : ""]), { valid: true, errors: [] });
  });

  for (const bad of BAD) {
    const [id, property, value, reason] = bad;
    test(`${id}.${property} = ${JSON.stringify(value)} is refused${reason ? ", saying why" : ""}`, async () => {
      const judged = await judge(editor.page, bad);
      assert.equal(judged.valid, false, JSON.stringify(judged));
      if (reason) assert.ok(judged.errors.some((e) => reason.test(e)), `errors: ${JSON.stringify(judged.errors)}`);
    });
  }

  for (const good of GOOD) {
    const [id, property, value] = good;
    test(`${id}.${property} = ${JSON.stringify(value)} is accepted`, async () => {
      assert.deepEqual(await judge(editor.page, good), { valid: true, errors: [] });
    });
  }

  test("a bad session name puts the red triangle on the nodes using it and marks the config node invalid; a good one clears them", async () => {
    await showSidebarTab(editor.page, "config");
    const triangle = editor.page.locator('[id="g1"] .red-ui-flow-node-error');
    assert.equal(await configMarkedInvalid(editor.page), false);
    await triangle.waitFor({ state: "hidden" });

    await setSession(editor.page, "name", "my kitchen!");
    await triangle.waitFor({ state: "visible" });
    await editor.page.locator('[id="p1"] .red-ui-flow-node-error').waitFor({ state: "visible" });
    assert.equal(await configMarkedInvalid(editor.page), true);

    await setSession(editor.page, "name", "kitchen");
    await triangle.waitFor({ state: "hidden" });
    assert.equal(await configMarkedInvalid(editor.page), false);
  });
});
