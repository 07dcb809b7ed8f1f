/** claude-action's editor: its properties checked with the runtime's rules (./props.ts). */
import type { EditorRED } from "node-red";
import { editorDefaults, registerNode } from "../shared/defaults.editor.js";
import { ACTION_PROPS } from "./props.js";

declare const RED: EditorRED;

registerNode(RED, "claude-action", {
  category: "claude",
  color: "#D97757",
  defaults: editorDefaults(ACTION_PROPS),
  inputs: 1,
  outputs: 1,
  outputLabels() {
    return this._("claude-action.outputs.action");
  },
  icon: "claude-action.svg",
  paletteLabel: "claude-action",
  label() {
    const text = (key: string): string => (typeof this[key] === "string" ? (this[key] as string) : "");
    return text("name") || (text("pattern") ? `claude-action ${text("pattern")}` : "claude-action");
  },
  labelStyle() {
    return this.name ? "node_label_italic" : "";
  },
});
