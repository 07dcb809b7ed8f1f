/**
 * The editor side of each node, as Node-RED's editor loads it: the scripts of the built
 * .html run against a stand-in `RED`, so the registered definitions (property names,
 * validators, outputs, help) can be checked without a browser.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { lookUp, messages } from "./helpers/locales.js";

interface PropertyDef {
  value?: unknown;
  type?: string;
  required?: boolean;
  validate?: (value: unknown, opt: { label?: string }) => boolean | string;
}

interface EditorDef {
  category: string;
  defaults: Record<string, PropertyDef>;
  credentials?: Record<string, { type: string }>;
  outputs?: number;
  outputLabels?: (this: { _: (key: string) => string }, index: number) => string;
  icon?: string;
}

const NODES = ["claude-session", "claude-gate", "claude-publish", "claude-action", "claude-permission"] as const;
const distNodes = join(__dirname, "..", "..", "nodes");

function html(name: string): string {
  return readFileSync(join(distNodes, name, `${name}.html`), "utf8");
}

function helpHtml(name: string): string {
  return readFileSync(join(distNodes, name, "locales", "en-US", `${name}.html`), "utf8");
}

/** Runs every editor script of the nodes in one context, in package order, as the editor does. */
function registered(): Record<string, EditorDef> {
  const definitions: Record<string, EditorDef> = {};
  const window: Record<string, unknown> = {};
  const RED = {
    nodes: { registerType: (type: string, def: EditorDef) => (definitions[type] = def) },
    validators: { typedInput: () => () => true, number: () => () => true },
  };
  for (const name of NODES) {
    for (const [, code] of html(name).matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) {
      runInNewContext(code!, { window, RED, TextEncoder, URL, $: () => undefined });
    }
  }
  return definitions;
}

const defs = registered();

/** Objects made inside the editor's context have that context's prototypes; compare their data. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** Runs a property's validator as Node-RED's editor does; only a two-parameter validator may return a reason. */
function validate(type: string, property: string, value: unknown): boolean | string {
  const check = defs[type]!.defaults[property]!.validate;
  assert.ok(check, `${type}.${property} has a validator`);
  assert.equal(check.length, 2, `${type}.${property}'s validator takes (value, opt)`);
  return check(value, {});
}

describe("editor definitions", () => {
  test("a new claude-session may only publish to session inboxes until the owner widens it; filters are checked", () => {
    assert.deepEqual(plain(defs["claude-session"]!.defaults.publishAllow!.value), ["claude/sessions/+/inbox"]);
    assert.deepEqual(plain(defs["claude-session"]!.defaults.publishDeny!.value), []);
    assert.equal(validate("claude-session", "publishAllow", ["home/commands/#"]), true);
    assert.match(String(validate("claude-session", "publishDeny", ["a/#/b"])), /"#" is only allowed as the last level/);
    assert.match(String(validate("claude-publish", "replyAllow", ["a/#/b"])), /"#" is only allowed as the last level/);
  });

  test("use the public property names, credentials and palette category", () => {
    assert.deepEqual(Object.keys(defs["claude-session"]!.defaults).sort(), [
      "admitted", "broker", "bufferMaxAge", "bufferMaxPerTopic", "coalesceInterval", "heartbeat", "keepalive", "muted", "name", "notifyPerMinute", "prefix", "publishAllow",
      "publishDeny", "qos", "sessionExpiry", "tls", "watched",
    ]);
    assert.deepEqual(plain(defs["claude-session"]!.credentials), { username: { type: "text" }, password: { type: "password" }, linkKey: { type: "password" } });
    assert.equal(defs["claude-session"]!.defaults.tls!.type, "tls-config");
    assert.equal(defs["claude-session"]!.category, "config");
    assert.deepEqual(Object.keys(defs["claude-gate"]!.defaults).sort(), ["mode", "name", "session", "subject", "subjectType"]);
    assert.deepEqual(Object.keys(defs["claude-publish"]!.defaults).sort(), ["mode", "name", "raw", "replyAllow", "retain", "session", "target", "topic"]);
    assert.deepEqual(Object.keys(defs["claude-action"]!.defaults).sort(), ["name", "pattern", "session", "timeout"]);
    assert.match(String(validate("claude-action", "pattern", "a/#/b")), /"#" is only allowed as the last level/);
    assert.match(String(validate("claude-action", "timeout", "301")), /accepted: a number of seconds from 1 to 300/);
    assert.deepEqual(Object.keys(defs["claude-permission"]!.defaults).sort(), ["name", "session"]);
    for (const type of ["claude-gate", "claude-publish", "claude-action", "claude-permission"]) {
      assert.equal(defs[type]!.category, "claude");
      assert.equal(defs[type]!.defaults.session!.type, "claude-session");
    }
    assert.deepEqual([defs["claude-gate"]!.defaults.subject!.value, defs["claude-gate"]!.defaults.subjectType!.value], ["topic", "msg"]);
    assert.equal(defs["claude-gate"]!.outputs, 3);
    const gateMessages = messages("claude-gate");
    const outputLabel = (index: number): string => defs["claude-gate"]!.outputLabels!.call({ _: (key) => lookUp(gateMessages, key) ?? key }, index);
    assert.deepEqual([0, 1, 2].map(outputLabel), ["admitted", "watched", "dropped"]);
  });

  test("check patterns, session names and topics with core's own rules", () => {
    assert.equal(validate("claude-session", "admitted", ["home/+/door", "home/#", "alice"]), true);
    assert.match(String(validate("claude-session", "watched", ["home/ok", "home#"])), /pattern "home#": "#" must fill a whole level/);
    assert.match(String(validate("claude-session", "muted", ["a/#/b"])), /"#" is only allowed as the last level/);
    assert.equal(validate("claude-session", "name", "kitchen-1"), true);
    assert.match(String(validate("claude-session", "name", "kitchen 1")), /contains " "/);
    assert.match(String(validate("claude-session", "name", "")), /empty/);
    assert.match(String(validate("claude-session", "broker", "localhost:1883")), /mqtt:\/\/host:1883/);
    assert.equal(validate("claude-session", "broker", "mqtts://broker.example:8883"), true);
    assert.match(String(validate("claude-session", "prefix", "claude/#")), /"#"/);
    assert.match(String(validate("claude-session", "heartbeat", "0")), /0 is below 1; accepted: a whole number of seconds from 1/);
    assert.equal(validate("claude-session", "heartbeat", "30"), true);
    assert.match(String(validate("claude-session", "qos", "7")), /accepted: 0, 1 or 2/);
    assert.equal(validate("claude-session", "qos", "2"), true);
    assert.equal(validate("claude-session", "bufferMaxAge", ""), true);
    assert.match(String(validate("claude-session", "bufferMaxAge", "0")), /not above 0/);
    assert.match(String(validate("claude-publish", "topic", "out/+")), /wildcard/);
    assert.equal(validate("claude-publish", "topic", ""), true);
    assert.match(String(validate("claude-publish", "target", "bad name")), /contains " "/);
    assert.match(String(validate("claude-gate", "mode", "maybe")), /accepted/);
  });

  for (const name of NODES) {
    test(`${name} has a form, help with Node-RED's sections in its locales, and its icon next to the built node`, () => {
      assert.match(html(name), new RegExp(`data-template-name="${name}"`));
      const help = /<script type="text\/html" data-help-name="([^"]+)">([\s\S]*?)<\/script>/.exec(helpHtml(name));
      assert.equal(help?.[1], name);
      const sections = [...help![2]!.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
      assert.ok(sections.includes("Details"), `${name} help has Details`);
      if (name !== "claude-session") assert.ok(sections.includes("Inputs"), `${name} help has Inputs`);
      if (name === "claude-gate") assert.ok(sections.includes("Outputs"));
      const icon = defs[name]!.icon;
      assert.ok(icon && existsSync(join(distNodes, name, "icons", icon)), `${name}'s icon ${icon} is built`);
    });
  }
});
