/**
 * The setting of a flow-mode suite with the real Claude Code: before its tests, the
 * end-to-end stack (Mosquitto and a real Node-RED running the suite's flow), the scripted
 * model, and Claude Code whose plugin bridge has the `.env` lines the claude-session
 * node's editor shows (SESSION_HOST=flow and the link key); after them, all gone.
 */
import { after, before } from "node:test";
import { LINK_KEY, SESSION, startStack, type Stack } from "../e2e/stack.js";
import { ClaudeCode } from "./harness.js";
import { ModelServer } from "./model-server.js";

export interface FlowModeSuite {
  readonly stack: Stack;
  readonly model: ModelServer;
  readonly cc: ClaudeCode;
}

export function flowModeSuite(flow: Parameters<typeof startStack>[0]): FlowModeSuite {
  let stack: Stack | undefined;
  let model: ModelServer | undefined;
  let cc: ClaudeCode | undefined;
  before(async () => {
    stack = await startStack(flow);
    model = await ModelServer.start();
    const env = [`SESSION_NAME=${SESSION}`, `MQTT_BROKER_URL=${stack.broker.url}`, `MQTT_TOPIC_PREFIX=${stack.prefix}`, "SESSION_HOST=flow", `SESSION_LINK_KEY=${LINK_KEY}`, ""].join("\n");
    cc = await ClaudeCode.start({ model, stateFiles: { ".env": env } });
  });
  after(async () => {
    await cc?.stop();
    await model?.stop();
    await stack?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the flow-mode suite has not started");
    return value;
  };
  return {
    get stack() {
      return started(stack);
    },
    get model() {
      return started(model);
    },
    get cc() {
      return started(cc);
    },
  };
}
