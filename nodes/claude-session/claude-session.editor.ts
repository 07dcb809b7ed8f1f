/**
 * claude-session's editor: its properties checked with the runtime's rules (./props.ts), the
 * owner's lists as editable lists, and the link key's Generate button with the bridge's `.env`
 * lines, kept in step with the name, broker and prefix until the dialog closes.
 */
import type { EditorRED } from "node-red";
import { DEFAULT_TOPIC_PREFIX } from "../../core/limits.js";
import { validatePattern } from "../../core/topics.js";
import { editorDefaults, registerNode, type EditorNode } from "../shared/defaults.editor.js";
import { SESSION_PROPS } from "./props.js";
import type { Translate } from "./sidebar/render.editor.js";

declare const RED: EditorRED;

/** Set by sidebar/sidebar.editor.ts, which the .html loads first. */
function sidebar(): { add(t: Translate): void; remove(): void } | undefined {
  return (window as Window & { ClaudeChannelSidebar?: { add(t: Translate): void; remove(): void } }).ClaudeChannelSidebar;
}

const LISTS = ["admitted", "watched", "muted", "publishAllow", "publishDeny"] as const;
const TABS = [
  { id: "claude-session-tab-connection", label: "claude-session.tab.connection" },
  { id: "claude-session-tab-security", label: "claude-session.tab.security" },
  { id: "claude-session-tab-lists", label: "claude-session.tab.lists" },
];

function field(name: string): JQuery {
  return $(`#node-config-input-${name}`);
}

function listEditor(node: EditorNode, list: string): void {
  const container = field(`${list}-list`);
  container.css("min-height", "100px").editableList({
    addButton: node._("claude-session.button.pattern"),
    removable: true,
    sortable: true,
    height: 130,
    addItem(row: JQuery, _index: number, pattern: unknown) {
      const input = $('<input type="text" class="node-input-pattern" style="width: 100%">')
        .attr("placeholder", node._(list.startsWith("publish") ? "claude-session.placeholder.publishPattern" : "claude-session.placeholder.pattern"))
        .val(typeof pattern === "string" ? pattern : "")
        .appendTo(row);
      const hint = $('<div class="form-tips" style="display: none; margin-top: 4px"></div>').appendTo(row);
      const check = (): void => {
        const value = String(input.val());
        const reason = value === "" ? undefined : validatePattern(value);
        input.toggleClass("input-error", reason !== undefined);
        hint.text(reason ?? "").toggle(reason !== undefined);
      };
      input.on("input change", check);
      check();
    },
  });
  const patterns = node[list];
  for (const pattern of Array.isArray(patterns) ? patterns : []) container.editableList("addItem", pattern);
}

function listValues(list: string): string[] {
  const values: string[] = [];
  field(`${list}-list`)
    .editableList("items")
    .each(function (this: HTMLElement) {
      const pattern = String($(this).find(".node-input-pattern").val());
      if (pattern !== "" && !values.includes(pattern)) values.push(pattern);
    });
  return values;
}

function randomKey(): string {
  const bytes = new Uint8Array(32);
  window.crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bridge's `.env` lines for what the form holds now. */
function envLines(key: string): string {
  return [
    `SESSION_NAME=${String(field("name").val())}`,
    `MQTT_BROKER_URL=${String(field("broker").val()).trim()}`,
    `MQTT_TOPIC_PREFIX=${String(field("prefix").val()) || DEFAULT_TOPIC_PREFIX}`,
    "SESSION_HOST=flow",
    `SESSION_LINK_KEY=${key}`,
  ].join("\n");
}

function setUpGenerate(): void {
  let key: string | undefined;
  const show = (): void => {
    if (key !== undefined) $("#node-config-claude-session-env").text(envLines(key));
  };
  $("#node-config-claude-session-generate").on("click", (event) => {
    event.preventDefault();
    key = randomKey();
    field("linkKey").val(key);
    show();
    $("#node-config-claude-session-env-row").show();
  });
  // The form's inputs go when the dialog closes, and these listeners with them.
  field("name").add(field("broker")).add(field("prefix")).on("input change", show);
}

registerNode(RED, "claude-session", {
  category: "config",
  icon: "claude-session.svg",
  paletteLabel: "claude-session",
  defaults: editorDefaults(SESSION_PROPS),
  credentials: {
    username: { type: "text" },
    password: { type: "password" },
    linkKey: { type: "password" },
  },
  label() {
    // A broker URL may hold a login (mqtt://user:pass@host): never show it.
    const broker = (typeof this.broker === "string" ? this.broker : "").replace(/\/\/[^/]*@/, "//");
    return ((typeof this.name === "string" && this.name) || "claude-session") + (broker ? ` @ ${broker}` : "");
  },
  oneditprepare() {
    const tabs = RED.tabs.create({
      element: $("#node-config-claude-session-tabs"),
      // Called with the tab shown (the typings say a string).
      onchange(tab: unknown) {
        $("#node-config-claude-session-tabs-content").children().hide();
        $(`#${(tab as { id: string }).id}`).show();
      },
    });
    TABS.forEach((tab, index) => tabs.addTab({ id: tab.id, label: this._(tab.label) }, index));
    for (const list of LISTS) listEditor(this, list);
    setUpGenerate();
  },
  oneditsave() {
    for (const list of LISTS) this[list] = listValues(list);
  },
  // The package's "Claude" sidebar tab (sidebar/sidebar.editor.ts) comes and goes with this type.
  onpaletteadd() {
    sidebar()?.add(this._);
  },
  onpaletteremove() {
    sidebar()?.remove();
  },
});
