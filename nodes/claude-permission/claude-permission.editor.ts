/** claude-permission's editor: its properties checked with the runtime's rules (./props.ts). */
import type { EditorRED } from "node-red";
import { editorDefaults, registerNode } from "../shared/defaults.editor.js";
import { PERMISSION_PROPS } from "./props.js";

declare const RED: EditorRED;

registerNode(RED, "claude-permission", {
  category: "claude",
  color: "#D97757",
  defaults: editorDefaults(PERMISSION_PROPS),
  inputs: 1,
  outputs: 1,
  outputLabels() {
    return this._("claude-permission.outputs.request");
  },
  icon: "claude-permission.svg",
  paletteLabel: "claude-permission",
  label() {
    return typeof this.name === "string" && this.name !== "" ? this.name : "claude-permission";
  },
  labelStyle() {
    return this.name ? "node_label_italic" : "";
  },
});
