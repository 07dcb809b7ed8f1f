/** claude-publish's editor: its properties checked with the runtime's rules (./props.ts). */
import type { EditorRED } from "node-red";
import { editorDefaults, registerNode } from "../shared/defaults.editor.js";
import { PUBLISH_PROPS } from "./props.js";

declare const RED: EditorRED;

registerNode(RED, "claude-publish", {
  category: "claude",
  color: "#D97757",
  defaults: editorDefaults(PUBLISH_PROPS),
  inputs: 1,
  outputs: 0,
  align: "right",
  icon: "claude-publish.svg",
  paletteLabel: "claude-publish",
  label() {
    const text = (key: string): string => (typeof this[key] === "string" ? (this[key] as string) : "");
    if (text("name")) return text("name");
    if (this.mode === "reply") return this._("claude-publish.label.reply");
    if (this.mode === "inbox") return text("target") ? this._("claude-publish.label.inboxOf", { target: text("target") }) : this._("claude-publish.label.inbox");
    return text("topic") || "claude-publish";
  },
  labelStyle() {
    return this.name ? "node_label_italic" : "";
  },
  oneditprepare() {
    $("#node-input-mode")
      .on("change", function (this: HTMLElement) {
        const mode = $(this).val();
        $(".claude-publish-topic").toggle(mode === "publish");
        $(".claude-publish-target").toggle(mode === "inbox");
        $(".claude-publish-options").toggle(mode !== "reply");
        $(".claude-publish-reply").toggle(mode === "reply");
      })
      .trigger("change");
    $("#node-input-replyAllow-text").val((Array.isArray(this.replyAllow) ? (this.replyAllow as string[]) : []).join(", "));
  },
  oneditsave() {
    this.replyAllow = String($("#node-input-replyAllow-text").val())
      .split(",")
      .map((filter) => filter.trim())
      .filter((filter) => filter !== "");
  },
});
