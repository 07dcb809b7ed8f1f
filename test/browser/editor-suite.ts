/**
 * The setting of every editor suite: before its tests, a real Node-RED with the suite's flow
 * deployed and its editor open in Chromium; after them, both gone. Call it inside the
 * suite's `describe`, after any `before` the flow needs (a broker) and before that one's `after`.
 */
import { after, before } from "node:test";
import type { Page } from "playwright-core";
import { launchChromium, openEditor, type Browser } from "./chromium.js";
import { startNodeRed, type FlowNode, type RunningNodeRed } from "./runtime.js";

export interface EditorSuite {
  readonly red: RunningNodeRed;
  readonly page: Page;
}

/** `flow` is called once Node-RED runs; without it, nothing is deployed. */
export function editorSuite(flow?: () => FlowNode[]): EditorSuite {
  let red: RunningNodeRed | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  before(async () => {
    red = await startNodeRed();
    if (flow) await red.deploy(flow());
    browser = await launchChromium();
    page = await openEditor(browser.context, red.url);
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the editor suite has not started");
    return value;
  };
  return {
    get red() {
      return started(red);
    },
    get page() {
      return started(page);
    },
  };
}
