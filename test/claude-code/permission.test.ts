/**
 * The permission relay with the real Claude Code: the model's Bash call makes Claude Code
 * ask; nobody answers in the terminal. Flow mode: the request reaches a claude-permission
 * node in a real Node-RED, whose flow allows one command and denies another — the allowed
 * one runs, the denied one does not. Bridge mode: a verdict with a bad signature changes
 * nothing; the correctly signed one that follows decides.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sessionTopics } from "../../core/layout.js";
import { decodeFrame, encodeFrame, NonceCache } from "../../session/link/protocol.js";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import type { FlowNode } from "../helpers/node-red.js";
import { uniquePrefix } from "../helpers/session.js";
import { Peer } from "../bridge/harness.js";
import { functionNode, LINK_KEY, SESSION, sessionNode, tab, TAB } from "../e2e/stack.js";
import { ClaudeCode, claudeCodeMissing } from "./harness.js";
import { flowModeSuite } from "./flow-suite.js";
import { lastUserText, ModelServer, toolResults, type ModelRequest } from "./model-server.js";

const missing = claudeCodeMissing();
const APPROVER_KEY = "the-approver-key-of-the-owners-phone-0123";

/** The model answers `prompt` with one Bash call. */
function bashOn(model: ModelServer, prompt: string, command: string): void {
  model.rule((r) => (lastUserText(r).includes(prompt) ? { toolUses: [{ name: "Bash", input: { command, description: `Run ${command}` } }] } : undefined));
}

const bashResult = (request: ModelRequest): { text: string; isError: boolean } | undefined => toolResults(request).find((t) => t.name === "Bash");

function flow(prefix: string, broker: TestBroker): FlowNode[] {
  return [
    tab(),
    sessionNode("s-home", SESSION, prefix, broker, { linkKey: LINK_KEY }),
    { id: "p-home", type: "claude-permission", z: TAB, name: "", session: "s-home", wires: [["f-decide"]] },
    // The owner's rule: creating allowed.txt may run, anything else may not.
    functionNode("f-decide", 'return { request_id: msg.request_id, payload: String(msg.payload.input_preview).includes("allowed.txt") ? "allow" : "deny" };', "p-home"),
  ];
}

if (missing) test("the real Claude Code's permission prompts", { skip: missing }, () => undefined);
else {
  describe("the real Claude Code's permission prompts, answered by a flow", () => {
    const suite = flowModeSuite(flow);

    test("the flow allows: the command runs", async () => {
      const file = join(suite.cc.workDir, "allowed.txt");
      bashOn(suite.model, "create the allowed file", `touch ${file}`);
      suite.cc.type("create the allowed file");
      const answered = await suite.cc.showingScreen(suite.model.waitForRequest((r) => bashResult(r) !== undefined, "with the Bash result", 90_000));
      assert.equal(bashResult(answered)!.isError, false, bashResult(answered)!.text);
      assert.ok(existsSync(file), "the allowed command ran");
    });

    test("the flow denies: the command does not run", async () => {
      const file = join(suite.cc.workDir, "denied.txt");
      const from = suite.model.requests.length;
      bashOn(suite.model, "create the denied file", `touch ${file}`);
      suite.cc.type("create the denied file");
      const answered = await suite.cc.showingScreen(suite.model.waitForRequest((r) => bashResult(r) !== undefined, "with the Bash result", 90_000, from));
      assert.equal(bashResult(answered)!.isError, true, bashResult(answered)!.text);
      assert.ok(!existsSync(file), "the denied command did not run");
    });
  });

  describe("the real Claude Code's permission prompts, bridge mode with SESSION_APPROVER_KEY", () => {
    let broker: TestBroker;
    let model: ModelServer;
    let cc: ClaudeCode;
    let peer: Peer;
    const prefix = uniquePrefix();
    const topics = sessionTopics(prefix, "kitchen");

    before(async () => {
      broker = await startBroker();
      model = await ModelServer.start();
      peer = await Peer.connect(broker.url);
      await peer.subscribe(topics.permission);
      cc = await ClaudeCode.start({
        model,
        bridgeEnv: { MQTT_BROKER_URL: broker.url, SESSION_NAME: "kitchen", MQTT_TOPIC_PREFIX: prefix, SESSION_HOST: "bridge", SESSION_APPROVER_KEY: APPROVER_KEY },
      });
    });
    after(async () => {
      await cc?.stop();
      await peer?.end();
      await model?.stop();
      await broker?.stop();
    });

    test("a verdict with a bad signature changes nothing; the signed one decides", async () => {
      const file = join(cc.workDir, "forged.txt");
      bashOn(model, "create the forged file", `touch ${file}`);
      cc.type("create the forged file");
      const published = await cc.showingScreen(peer.next((m) => m.topic === topics.permission, "the relayed permission request"));
      const request = decodeFrame(APPROVER_KEY, topics.permission, published.payload, ["permission"], new NonceCache());
      assert.ok(request.ok, JSON.stringify(request));
      const body = request.body as { request_id: string; tool_name: string };
      assert.equal(body.tool_name, "Bash");

      await peer.publish(topics.verdict, encodeFrame("not-the-approver-key-0123456789abcdef", topics.verdict, "verdict", "mallory", { request_id: body.request_id, behavior: "allow" }));
      await peer.publish(topics.verdict, encodeFrame(APPROVER_KEY, topics.verdict, "verdict", "phone", { request_id: body.request_id, behavior: "deny" }));
      const answered = await cc.showingScreen(model.waitForRequest((r) => bashResult(r) !== undefined, "with the Bash result", 90_000));
      assert.equal(bashResult(answered)!.isError, true, bashResult(answered)!.text);
      assert.ok(!existsSync(file), "the forged allow did not let the command run");
    });
  });
}
