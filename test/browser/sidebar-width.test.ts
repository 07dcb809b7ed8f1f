/**
 * The Claude sidebar at Node-RED's default sidebar width, in Chromium: a session with a long
 * name, long patterns, a flow link that refused frames, a buffer and long admitted topics
 * and senders shows everything within the sidebar (wrapped, or cut short with the whole
 * text as a tooltip), and its own inbox pattern is labelled as the session's, not Claude's.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import mqtt from "mqtt";
import type { Page } from "playwright-core";
import { uniquePrefix } from "../helpers/session.js";
import { chromiumMissing, showSidebarTab } from "./chromium.js";
import type { FlowNode } from "./runtime.js";
import { editorSuiteWithBroker } from "./editor-suite.js";

const missing = chromiumMissing();
const NAME = "kitchen_and_living_room_and_garden_and_garage_session";
const LONG_PATTERN = "homeassistant/binary_sensor/front_door_contact_sensor_with_a_long_entity_id/#";
const LONG_TOPIC = "homeassistant/binary_sensor/front_door_contact_sensor_with_a_long_entity_id/state";

function flow(brokerUrl: string, prefix: string): FlowNode[] {
  return [
    { id: "tab", type: "tab", label: "Wide" },
    {
      id: "s1",
      type: "claude-session",
      name: NAME,
      broker: brokerUrl,
      prefix,
      qos: 1,
      heartbeat: 60,
      admitted: [LONG_PATTERN],
      watched: ["homeassistant/sensor/living_room_temperature_and_humidity_combined/+"],
      muted: ["homeassistant/sensor/wifi_signal_strength_of_the_access_point_in_the_attic"],
      credentials: { linkKey: "k".repeat(43) },
    },
    {
      id: "i1",
      type: "inject",
      z: "tab",
      props: [{ p: "payload" }, { p: "topic", vt: "str" }],
      repeat: "",
      crontab: "",
      once: false,
      onceDelay: 0.1,
      topic: LONG_TOPIC,
      payload: JSON.stringify({ sender: "a_sender_with_a_rather_long_name_from_the_garage_controller", content: "x".repeat(400) }),
      payloadType: "json",
      x: 140,
      y: 80,
      wires: [["g1"]],
    },
    { id: "g1", type: "claude-gate", z: "tab", session: "s1", mode: "lists", subject: "topic", subjectType: "msg", x: 340, y: 80, wires: [[], [], []] },
  ];
}

interface Overflow {
  sidebarWidth: number;
  scrollWidth: number;
  clientWidth: number;
  outside: string[];
}

/**
 * What sticks out of the Claude tab: elements reaching past its edges, unless an ancestor
 * inside the tab cuts them off and offers the whole text as its tooltip (`title`), and
 * elements cutting off their own content sideways without such a tooltip.
 */
function overflow(page: Page): Promise<Overflow> {
  return page.evaluate(() => {
    const tab = document.querySelector<HTMLElement>(".claude-sidebar")!;
    const box = tab.getBoundingClientRect();
    const outside: string[] = [];
    const titled = (el: HTMLElement): boolean => {
      for (let up: HTMLElement | null = el; up && up !== tab; up = up.parentElement) if (up.title) return true;
      return false;
    };
    for (const el of Array.from(tab.querySelectorAll<HTMLElement>("*"))) {
      // Cut off sideways inside its own box, without a tooltip holding the whole text.
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible" && !titled(el)) {
        outside.push(`${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? "").slice(0, 40)}" is cut off (${el.scrollWidth} > ${el.clientWidth}) without a tooltip`);
      }
      const r = el.getBoundingClientRect();
      if (r.width === 0 || (r.left >= box.left - 0.5 && r.right <= box.right + 0.5)) continue;
      let clipped = false;
      for (let up = el.parentElement; up && up !== tab; up = up.parentElement) {
        const u = up.getBoundingClientRect();
        if (getComputedStyle(up).overflowX === "hidden" && up.title && u.left >= box.left - 0.5 && u.right <= box.right + 0.5) clipped = true;
      }
      if (!clipped) outside.push(`${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? "").slice(0, 40)}" ${Math.round(r.left)}–${Math.round(r.right)} outside ${Math.round(box.left)}–${Math.round(box.right)}`);
    }
    return { sidebarWidth: Math.round(box.width), scrollWidth: tab.scrollWidth, clientWidth: tab.clientWidth, outside };
  });
}

if (missing) test("the Claude sidebar at the default width", { skip: missing }, () => undefined);
else describe("the Claude sidebar at the default width", () => {
  const prefix = uniquePrefix();
  const editor = editorSuiteWithBroker((url) => flow(url, prefix));

  test("a busy session's panel fits the sidebar: nothing sticks out, nothing scrolls sideways", async () => {
    await showSidebarTab(editor.page, "claude-channel");
    const panel = editor.page.locator('.claude-sidebar-session[data-session-id="s1"]');
    await panel.locator('.claude-sidebar-state[data-state="connected"]').waitFor();

    // A frame the flow link refuses, a watched reading in the buffer, and an admitted message with a long topic and sender.
    const client = await mqtt.connectAsync(editor.broker.url);
    try {
      await client.publishAsync(`${prefix}/sessions/${NAME}/rpc`, "not a signed frame", { qos: 1 });
      await client.publishAsync("homeassistant/sensor/living_room_temperature_and_humidity_combined/value", "21.5", { qos: 1 });
    } finally {
      await client.endAsync();
    }
    assert.equal((await fetch(`${editor.red.url}inject/i1`, { method: "POST" })).status, 200);
    await panel.locator('[data-row="link"]', { hasText: /refused frames 1 \(malformed 1\)/ }).waitFor();
    await panel.locator('[data-count="buffer"]', { hasText: /^1$/ }).waitFor();
    await panel.locator(".claude-sidebar-recent .claude-sidebar-preview", { hasText: "xxx" }).waitFor();

    const measured = await overflow(editor.page);
    assert.ok(measured.sidebarWidth > 0);
    assert.deepEqual(measured.outside, [], `at ${measured.sidebarWidth} px`);
    assert.ok(measured.scrollWidth <= measured.clientWidth, `scrolls sideways: ${measured.scrollWidth} > ${measured.clientWidth}`);
  });

  test("a pattern cut short shows the whole pattern as its tooltip", async () => {
    const chip = editor.page.locator('.claude-sidebar-session[data-session-id="s1"] [data-row="admitted"] .claude-sidebar-pattern', { hasText: "front_door" });
    assert.match((await chip.getAttribute("title")) ?? "", new RegExp(LONG_PATTERN.replace(/[+#/]/g, "\\$&")));
  });

  test("the session's own inbox pattern is labelled as the session's, the owner's as pinned", async () => {
    const admitted = editor.page.locator('.claude-sidebar-session[data-session-id="s1"] [data-row="admitted"] .claude-sidebar-pattern');
    const inbox = admitted.filter({ hasText: `${prefix}/sessions/${NAME}/inbox` });
    assert.equal(await inbox.getAttribute("data-origin"), "inbox");
    assert.match((await inbox.getAttribute("title")) ?? "", /the session's own inbox/);
    assert.doesNotMatch((await inbox.getAttribute("title")) ?? "", /Claude/);
    assert.equal(await admitted.filter({ hasText: "front_door" }).getAttribute("data-origin"), "owner");
  });
});
