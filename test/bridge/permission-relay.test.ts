/**
 * The permission relay in bridge mode: with SESSION_APPROVER_KEY the bridge declares
 * claude/channel/permission, publishes Claude Code's requests as signed frames on
 * <prefix>/sessions/<name>/permission and turns a verdict signed with that key, on
 * .../permission/verdict, into notifications/claude/channel/permission. Without the key
 * it declares nothing. Driven by a real MCP client, as Claude Code drives it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrame, encodeFrame, NonceCache } from "../../session/link/protocol.js";
import { eventually, type BridgeClient } from "./harness.js";
import { bridgeSuite } from "./suite.js";

const suite = bridgeSuite();
const APPROVER_KEY = "the-approver-key-of-the-owners-phone-0123";
const REQUEST = { request_id: "abcde", tool_name: "Bash", description: "List files", input_preview: '{"command": "ls"}' };

/** The verdict notifications Claude Code would receive. */
function verdicts(b: BridgeClient): Array<{ request_id: string; behavior: string }> {
  const seen: Array<{ request_id: string; behavior: string }> = [];
  const channel = b.client.fallbackNotificationHandler;
  b.client.fallbackNotificationHandler = async (n) => {
    if (n.method === "notifications/claude/channel/permission") seen.push(n.params as { request_id: string; behavior: string });
    else await channel?.(n);
  };
  return seen;
}

const askPermission = (b: BridgeClient, request = REQUEST): Promise<void> =>
  b.client.notification({ method: "notifications/claude/channel/permission_request", params: request });

interface RelayStatus {
  pending: number;
  allowed: number;
  denied: number;
  unknownVerdicts: number;
  refusedVerdicts: Record<string, number>;
}

async function relayStatus(b: BridgeClient): Promise<RelayStatus> {
  return (JSON.parse(await b.ok("status")) as { permissionRelay: RelayStatus }).permissionRelay;
}

describe("permission relay, bridge mode", () => {
  test("without an approver key the capability is not declared", async () => {
    const b = await suite.bridge();
    assert.equal(b.client.getServerCapabilities()?.experimental?.["claude/channel/permission"], undefined);
    assert.deepEqual(b.client.getServerCapabilities()?.experimental?.["claude/channel"], {});
  });

  test("a request goes out signed; a signed verdict answers it once; bad signatures, replays and unknown ids change nothing", async () => {
    const b = await suite.bridge({ env: { SESSION_APPROVER_KEY: APPROVER_KEY } });
    assert.deepEqual(b.client.getServerCapabilities()?.experimental?.["claude/channel/permission"], {});
    const seen = verdicts(b);
    const base = `${b.prefix}/sessions/${b.name}`;
    await suite.peer.subscribe(`${base}/permission`);

    await askPermission(b);
    const published = await suite.peer.next((m) => m.topic === `${base}/permission`, "the relayed request");
    const frame = decodeFrame(APPROVER_KEY, published.topic, published.payload, ["permission"], new NonceCache());
    assert.ok(frame.ok, JSON.stringify(frame));
    assert.deepEqual({ ...frame.body, expires: typeof (frame.body as { expires?: unknown }).expires }, { ...REQUEST, expires: "string" });

    const verdictTopic = `${base}/permission/verdict`;
    const forged = encodeFrame("not-the-approver-key-0123456789abcdef", verdictTopic, "verdict", "mallory", { request_id: "abcde", behavior: "allow" });
    await suite.peer.publish(verdictTopic, forged);
    await suite.peer.publish(verdictTopic, JSON.stringify({ request_id: "abcde", behavior: "allow" }));
    await eventually(async () => (await relayStatus(b)).refusedVerdicts.unsigned === 1, "the unsigned verdict to be refused");
    assert.equal((await relayStatus(b)).refusedVerdicts["bad-signature"], 1);
    assert.deepEqual(seen, [], "a forged verdict reaches nothing");

    const deny = encodeFrame(APPROVER_KEY, verdictTopic, "verdict", "phone", { request_id: "abcde", behavior: "deny" });
    await suite.peer.publish(verdictTopic, deny);
    await eventually(() => seen.length === 1, "the verdict notification");
    assert.deepEqual(seen, [{ request_id: "abcde", behavior: "deny" }]);

    await suite.peer.publish(verdictTopic, deny);
    await suite.peer.publish(verdictTopic, encodeFrame(APPROVER_KEY, verdictTopic, "verdict", "phone", { request_id: "abcde", behavior: "allow" }));
    await suite.peer.publish(verdictTopic, encodeFrame(APPROVER_KEY, verdictTopic, "verdict", "phone", { request_id: "zzzzz", behavior: "allow" }));
    await eventually(async () => (await relayStatus(b)).unknownVerdicts === 2, "the late and unknown verdicts to be dropped");
    const status = await relayStatus(b);
    assert.equal(status.refusedVerdicts.replayed, 1);
    assert.deepEqual([status.pending, status.denied, status.allowed], [0, 1, 0]);
    assert.deepEqual(seen, [{ request_id: "abcde", behavior: "deny" }], "only the first verdict reached Claude Code");
  });

  test("a malformed request from the client is ignored and logged", async () => {
    const b = await suite.bridge({ env: { SESSION_APPROVER_KEY: APPROVER_KEY } });
    await b.client.notification({ method: "notifications/claude/channel/permission_request", params: { request_id: "a/b" } });
    await eventually(() => /ignored a malformed permission request/.test(b.stderr()), "the log line");
    assert.equal((await relayStatus(b)).pending, 0);
  });

  test("a short approver key stops the bridge with an error naming the variable", async () => {
    await assert.rejects(suite.bridge({ env: { SESSION_APPROVER_KEY: "short" } }));
  });
});
