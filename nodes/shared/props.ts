/**
 * Node properties: for each, its default in the editor and how a stored value is read, or why
 * it is refused. A node's properties are one table (`props.ts` in the node's folder); the
 * editor's validators (shared/defaults.editor.ts) and the runtime's parsing (`readProps`) are
 * both made from it, so a value is judged by the same rule before and after the deploy, and a
 * new property is one line in that table.
 *
 * Rules:
 * - Values arrive as the editor stores them: blank fields as "", numbers as numbers or digit
 *   strings, select boxes as strings, checkboxes as booleans (older flows: "true" / "false").
 * - A blank value (undefined, null or "") takes the property's default; an optional property
 *   (one without a default) stays undefined.
 * - A refusal says what is wrong, then "; accepted: " and what is accepted.
 * - `readProps` reports every bad property, each as "<property>: <reason>".
 * Imports nothing, so the editor's scripts bundle it.
 */

export type Reading<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The editor's side of a property: Node-RED's `defaults` entry, without its validator. */
export interface EditorDefault {
  value: string | number | boolean | string[];
  required?: boolean;
  /** For a config node reference: the type of the node it points to. */
  type?: string;
}

export interface Prop<T> {
  readonly editor: EditorDefault;
  /** False for what Node-RED's editor checks itself: config node references, free text. */
  readonly validated: boolean;
  read(stored: unknown): Reading<T>;
}

export type PropTable = Record<string, Prop<unknown>>;
export type PropsOf<P extends PropTable> = { [K in keyof P]: P[K] extends Prop<infer T> ? T : never };

export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

function ok<T>(value: T): Reading<T> {
  return { ok: true, value };
}

function refused(reason: string, accepted?: string): Reading<never> {
  return { ok: false, reason: accepted ? `${reason}; accepted: ${accepted}` : reason };
}

function shown(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : typeof value === "number" || typeof value === "boolean" ? String(value) : typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

interface TextOptions {
  /** The editor's default. */
  value?: string;
  /** What a blank value stands for; without it, a blank value is checked as "". */
  blank?: string;
  accepted?: string;
  required?: boolean;
  trim?: boolean;
}

/** Text that `reason` accepts (it says why not, or returns undefined). */
export function text(reason: (value: string) => string | undefined, options: TextOptions = {}): Prop<string> {
  return {
    editor: { value: options.value ?? "", ...(options.required ? { required: true } : {}) },
    validated: true,
    read(stored) {
      if (isBlank(stored) && options.blank !== undefined) return ok(options.blank);
      const raw = isBlank(stored) ? "" : stored;
      if (typeof raw !== "string") return refused(`got ${shown(raw)}, not text`, options.accepted);
      const value = options.trim ? raw.trim() : raw;
      const why = reason(value);
      return why ? refused(why, options.accepted) : ok(value);
    },
  };
}

/** Any text, such as a node's name (blank: ""). */
export function label(value = ""): Prop<string> {
  return { ...text(() => undefined, { value, blank: value }), validated: false };
}

function listed(values: readonly (string | number)[]): string {
  const shownValues = values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v)));
  return shownValues.length < 2 ? shownValues.join("") : `${shownValues.slice(0, -1).join(", ")} or ${shownValues[shownValues.length - 1]}`;
}

/** One of `values` (a select box stores numbers as strings: "1" is read as 1). */
export function choice<const T extends string | number>(values: readonly T[], value: T): Prop<T> {
  const accepted = listed(values);
  return {
    editor: { value },
    validated: true,
    read(stored) {
      if (isBlank(stored)) return ok(value);
      const found = typeof stored === "string" || typeof stored === "number" ? values.find((v) => String(v) === String(stored)) : undefined;
      return found === undefined ? refused(`got ${shown(stored)}`, accepted) : ok(found);
    },
  };
}

interface NumberOptions {
  min: number;
  max: number;
  /** Whole numbers only. */
  whole?: boolean;
  /** `min` itself is refused: the number must be above it. */
  above?: boolean;
  /** Said after "a number", e.g. " of seconds". */
  unit?: string;
}

/** A number within the bounds; blank takes `value`, or stays undefined without one. */
export function number(options: NumberOptions, value: number): Prop<number>;
export function number(options: NumberOptions): Prop<number | undefined>;
export function number(options: NumberOptions, value?: number): Prop<number | undefined> {
  const { min, max, whole = false, above = false, unit = "" } = options;
  const range = above ? `above ${min} and at most ${max}` : `from ${min} to ${max}`;
  const accepted = `${whole ? "a whole number" : "a number"}${unit} ${range}${value === undefined ? ", or empty" : ""}`;
  return {
    editor: { value: value ?? "" },
    validated: true,
    read(stored) {
      if (isBlank(stored)) return ok(value);
      const n = typeof stored === "number" ? stored : typeof stored === "string" && /^\s*\d+(\.\d+)?\s*$/.test(stored) ? Number(stored) : NaN;
      if (!Number.isFinite(n)) return refused(`got ${shown(stored)}, not a number`, accepted);
      if (whole && !Number.isInteger(n)) return refused(`${n} is not a whole number`, accepted);
      if (above ? n <= min : n < min) return refused(above ? `${n} is not above ${min}` : `${n} is below ${min}`, accepted);
      if (n > max) return refused(`${n} is above ${max}`, accepted);
      return ok(n);
    },
  };
}

/** A list of texts that `reason` accepts each (blank: an empty list; `value`: a new node's list). */
export function list(reason: (item: string) => string | undefined, accepted: string, value: string[] = []): Prop<string[]> {
  return {
    editor: { value },
    validated: true,
    read(stored) {
      if (isBlank(stored)) return ok([]);
      if (!Array.isArray(stored)) return refused(`got ${shown(stored)}, not a list`, `a list of ${accepted}`);
      const reasons: string[] = [];
      stored.forEach((item: unknown, i) => {
        const why = typeof item === "string" ? reason(item) : `item ${i + 1} is ${shown(item)}, not text`;
        if (why) reasons.push(why);
      });
      return reasons.length > 0 ? refused(reasons.join("; "), accepted) : ok(stored.slice() as string[]);
    },
  };
}

/** A checkbox: true or false (older flows store "true" / "false"). */
export function flag(value = false): Prop<boolean> {
  return {
    editor: { value },
    validated: true,
    read(stored) {
      if (isBlank(stored)) return ok(value);
      if (stored === true || stored === "true") return ok(true);
      if (stored === false || stored === "false") return ok(false);
      return refused(`got ${shown(stored)}`, "true or false");
    },
  };
}

/** The id of a config node of `type` (Node-RED's editor checks that it exists and is valid); blank: undefined. */
export function configNode(type: string, required: boolean): Prop<string | undefined> {
  return {
    editor: { value: "", type, required },
    validated: false,
    read(stored) {
      if (isBlank(stored)) return ok(undefined);
      return typeof stored === "string" ? ok(stored) : refused(`got ${shown(stored)}`, `the id of a ${type} node`);
    },
  };
}

export type ReadProps<P extends PropTable> = { ok: true; props: PropsOf<P> } | { ok: false; problems: string[] };

/** Every property of `table` read from `stored` (a node's definition), or every problem found. */
export function readProps<P extends PropTable>(table: P, stored: object): ReadProps<P> {
  const props: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, prop] of Object.entries(table)) {
    const read = prop.read((stored as Readonly<Record<string, unknown>>)[key]);
    if (read.ok) props[key] = read.value;
    else problems.push(`${key}: ${read.reason}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, props: props as PropsOf<P> };
}
