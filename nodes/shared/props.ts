/**
 * Pieces for parsing node properties with zod. The editor stores what it was given:
 * blank fields as "", checkboxes as booleans (older flows as "true"/"false"), numbers
 * as numbers or digit strings. Each problem is reported as `<property>: <what is wrong>`.
 */
import type { Node } from "node-red";
import { z } from "zod";
import { validatePattern } from "../../core/topics.js";
import { problemStatus } from "./status.js";

export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** A preprocess step: a blank property takes `fallback`. */
export const orDefault =
  <T>(fallback: T) =>
  (value: unknown): unknown =>
    isBlank(value) ? fallback : value;

/** A preprocess step: digit strings become numbers, blanks undefined. */
export function digitsToNumber(value: unknown): unknown {
  if (typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return isBlank(value) ? undefined : value;
}

/** Text that `reason` accepts (it says why not); `accepted`, when given, is added to the message. */
export function checkedText(reason: (value: string) => string | undefined, accepted?: string): z.ZodType<string> {
  const tail = accepted ? `; accepted: ${accepted}` : "";
  return z.string({ error: `not text${tail}` }).check((ctx) => {
    const message = reason(ctx.value);
    if (message) ctx.issues.push({ code: "custom", message: message + tail, input: ctx.value });
  });
}

/** Blank, or text that `reason` accepts. */
export function optionalText(reason: (value: string) => string | undefined, accepted: string): z.ZodType<string> {
  return z.preprocess(orDefault(""), checkedText((value) => (value === "" ? undefined : reason(value)), accepted)) as z.ZodType<string>;
}

export const flag = z.preprocess(
  orDefault(false),
  z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], { error: "accepted: true or false" }),
);

/** A list of valid MQTT topic filters; blank is an empty list. */
export const filterList = z.preprocess(
  orDefault([]),
  z.array(z.string({ error: "holds something other than text; accepted: MQTT topic filters" }), {
    error: "not a list; accepted: a list of MQTT topic filters",
  }).check((ctx) => {
    for (const pattern of ctx.value) {
      const reason = validatePattern(pattern);
      if (reason) ctx.issues.push({ code: "custom", message: reason, input: pattern });
    }
  }),
);

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join(".") || "config"}: ${issue.message}`);
}

/**
 * A user node's properties through `schema`. When they are bad the node logs why and
 * shows it, and gets the problem to report for each message it receives.
 */
export function parseNodeProps<T>(node: Node, schema: z.ZodType<T>, def: unknown): { ok: true; props: T } | { ok: false; problem: string } {
  const parsed = schema.safeParse(def);
  if (parsed.success) return { ok: true, props: parsed.data };
  const problem = describeIssues(parsed.error).join("; ");
  node.error(`${node.type}: ${problem}`);
  node.status(problemStatus(problem));
  return { ok: false, problem };
}
