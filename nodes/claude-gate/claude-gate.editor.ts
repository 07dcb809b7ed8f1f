/** claude-gate's editor: its properties checked with the runtime's rules (./props.ts). */
import type { EditorRED } from "node-red";
import { editorDefaults, registerNode, type Validator } from "../shared/defaults.editor.js";
import { GATE_PROPS, SUBJECT_TYPES } from "./props.js";

declare const RED: EditorRED;

const MODE_LABELS: Record<string, string> = { admit: "claude-gate.label.admitAll", watch: "claude-gate.label.watchAll" };
const OUTPUT_LABELS = ["claude-gate.outputs.admitted", "claude-gate.outputs.watched", "claude-gate.outputs.dropped"];

registerNode(RED, "claude-gate", {
  category: "claude",
  color: "#D97757",
  defaults: editorDefaults(GATE_PROPS, { subject: RED.validators.typedInput("subjectType") as Validator }),
  inputs: 1,
  outputs: 3,
  outputLabels(index) {
    const key = OUTPUT_LABELS[index];
    return key ? this._(key) : "";
  },
  icon: "claude-gate.svg",
  paletteLabel: "claude-gate",
  label() {
    const mode = MODE_LABELS[String(this.mode)];
    return (typeof this.name === "string" && this.name) || (mode ? this._(mode) : "claude-gate");
  },
  labelStyle() {
    return this.name ? "node_label_italic" : "";
  },
  oneditprepare() {
    $("#node-input-subject").typedInput({ default: "msg", typeField: "#node-input-subjectType", types: [...SUBJECT_TYPES] });
  },
});
