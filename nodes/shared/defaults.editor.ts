/**
 * A node's editor `defaults`, made from its property table (shared/props.ts): each checked
 * property gets a validator applying the runtime's own rule.
 *
 * Node-RED (3.0 and later) takes a validator's string result as "invalid, because …" only when
 * the validator declares two parameters `(value, opt)`; a one-parameter validator returning a
 * string counts as valid. So each validator here declares both.
 */
import type { EditorRED } from "node-red";
import type { EditorDefault, Prop, PropTable } from "./props.js";

export interface ValidatorOptions {
  label?: string;
}

/** Node-RED's validator: true, or why the value is invalid. */
export type Validator = (value: unknown, opt?: ValidatorOptions) => boolean | string;

export interface PropertyDefinition extends EditorDefault {
  validate?: Validator;
}

function validator(prop: Prop<unknown>): Validator {
  return function (value: unknown, opt?: ValidatorOptions): true | string {
    const read = prop.read(value);
    if (read.ok) return true;
    return opt?.label ? `${opt.label}: ${read.reason}` : read.reason;
  };
}

/** `table` as Node-RED's `defaults`; `editorOnly` replaces a validator with one of Node-RED's own (e.g. typedInput's). */
export function editorDefaults(table: PropTable, editorOnly: Readonly<Record<string, Validator>> = {}): Record<string, PropertyDefinition> {
  const defaults: Record<string, PropertyDefinition> = {};
  for (const [key, prop] of Object.entries(table)) {
    const validate = editorOnly[key] ?? (prop.validated ? validator(prop) : undefined);
    defaults[key] = validate === undefined ? { ...prop.editor } : { ...prop.editor, validate };
  }
  return defaults;
}

/**
 * A node as its editor functions see it (`this`): its properties, and `_`, which looks a key up in
 * the node's messages (`locales/<language>/<name>.json`, e.g. `_("claude-gate.label.mode")`).
 */
export type EditorNode = Record<string, unknown> & { _(key: string, substitutions?: Record<string, string | number>): string };

/** The parts of a node's editor definition that this package uses. */
export interface NodeDefinition {
  category: string;
  color?: string;
  defaults: Record<string, PropertyDefinition>;
  credentials?: Record<string, { type: "text" | "password" }>;
  inputs?: 0 | 1;
  outputs?: number;
  outputLabels?(this: EditorNode, index: number): string;
  align?: "left" | "right";
  icon: string;
  paletteLabel: string;
  label(this: EditorNode): string;
  labelStyle?(this: EditorNode): string;
  oneditprepare?(this: EditorNode): void;
  oneditsave?(this: EditorNode): void;
  oneditcancel?(this: EditorNode): void;
  /** Called with the type's definition as `this`, whose `_` looks keys up in the node's messages. */
  onpaletteadd?(this: EditorNode): void;
  onpaletteremove?(): void;
}

/**
 * Registers `definition` with the editor. The published editor typings predate Node-RED 3's
 * two-argument validators, so the definition is handed over as the editor takes it at run time.
 */
export function registerNode(RED: EditorRED, type: string, definition: NodeDefinition): void {
  RED.nodes.registerType(type, definition as unknown as Parameters<EditorRED["nodes"]["registerType"]>[1]);
}
