/**
 * The setting of every editor suite: before its tests, a real Node-RED with the suite's flow
 * deployed and its editor open in Chromium; after them, both gone. Call it inside the
 * suite's `describe`, after any `before` the flow needs and before that one's `after`
 * (`editorSuiteWithBroker` does so for a broker).
 */
import { after, before } from "node:test";
import type { Page } from "playwright-core";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { launchChromium, openEditor, type Browser } from "./chromium.js";
import { startNodeRed, type FlowNode, type RunningNodeRed } from "./runtime.js";

export interface EditorSuite {
  readonly red: RunningNodeRed;
  readonly page: Page;
}

export interface BrokerEditorSuite extends EditorSuite {
  readonly broker: TestBroker;
}

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the editor suite has not started");
  return value;
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
  return {
    get red() {
      return started(red);
    },
    get page() {
      return started(page);
    },
  };
}

/** An editor suite whose flow uses a test broker, started before Node-RED and stopped after it. */
export function editorSuiteWithBroker(flow: (brokerUrl: string) => FlowNode[]): BrokerEditorSuite {
  let broker: TestBroker | undefined;
  before(async () => {
    broker = await startBroker();
  });
  const editor = editorSuite(() => flow(started(broker).url));
  after(async () => {
    await broker?.stop();
  });
  return {
    get red() {
      return editor.red;
    },
    get page() {
      return editor.page;
    },
    get broker() {
      return started(broker);
    },
  };
}
