import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { NodeMessage } from "node-red";
import { eventually, startBridge, type BridgeClient } from "../bridge/harness.js";
import { received } from "../nodes/helpers/red.js";
import { connected, exampleSuite, helper, loadExample } from "./harness.js";

const suite = exampleSuite();
const EXAMPLE = "approve-from-phone";
const KEY = "a-link-key-for-the-phone-example-0123456789";
const bridges: BridgeClient[] = [];

afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.close()));
});

interface NotifyCall {
  action: string;
  data: { title: string; message: string; data: { actions: Array<{ action: string; title: string }> } };
}

async function phoneFlowAndClaude(): Promise<{ bridge: BridgeClient; verdicts: Array<{ request_id: string; behavior: string }> }> {
  await loadExample(EXAMPLE, suite.broker.url, { credentials: { "approve-session": { linkKey: KEY } }, taps: { "approve-notify": [["notified"]] } });
  await connected("approve-session");
  const bridge = await startBridge({ brokerUrl: suite.broker.url, prefix: "claude", name: "approvals", env: { SESSION_HOST: "flow", SESSION_LINK_KEY: KEY }, waitConnected: false });
  bridges.push(bridge);
  const verdicts: Array<{ request_id: string; behavior: string }> = [];
  bridge.client.fallbackNotificationHandler = async (n) => {
    if (n.method === "notifications/claude/channel/permission") verdicts.push(n.params as { request_id: string; behavior: string });
  };
  return { bridge, verdicts };
}

describe("example: Claude's permission prompts on the phone", () => {
  for (const [button, behavior] of [["approve-phone-allow", "allow"], ["approve-phone-deny", "deny"]] as const) {
    test(`a request becomes a notification with Allow / Deny; the ${behavior} button answers it`, async () => {
      const { bridge, verdicts } = await phoneFlowAndClaude();
      assert.deepEqual(bridge.client.getServerCapabilities()?.experimental?.["claude/channel/permission"], {});
      const notified = received("notified", 1, 15_000);
      await bridge.client.notification({
        method: "notifications/claude/channel/permission_request",
        params: { request_id: "hjkmn", tool_name: "Bash", description: "Run shell command", input_preview: '{"command": "<b>ls</b>"}' },
      });
      // Made in the function node's sandbox: compared as data.
      const call = JSON.parse(JSON.stringify((await notified)[0]!.payload)) as NotifyCall;
      assert.equal(call.action, "notify.mobile_app_phone");
      assert.equal(call.data.title, "Claude asks to use Bash");
      assert.equal(call.data.message, 'Run shell command\n{"command": "<b>ls</b>"}', "the texts go as they are, as plain text");
      assert.deepEqual(call.data.data.actions.map((a) => a.action), ["CLAUDE_ALLOW_hjkmn", "CLAUDE_DENY_hjkmn"]);

      helper.getNode(button)!.receive({} as NodeMessage);
      await eventually(() => verdicts.length === 1, "the verdict at Claude Code");
      assert.deepEqual(verdicts, [{ request_id: "hjkmn", behavior }]);
    });
  }
});
