/**
 * The sidebar's admin route behind Node-RED's own auth: a real `node-red` process with
 * `adminAuth` users refuses callers without a token, and callers whose token lacks
 * `claude-session.read`, and answers one that has it.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { uniquePrefix } from "../helpers/session.js";
import { startNodeRed, type RunningNodeRed } from "../browser/runtime.js";
import type { SessionSnapshot } from "../../nodes/claude-session/sidebar/wire.js";

const USERS = [
  { username: "admin", password: "admin-pass", permissions: "*" },
  { username: "viewer", password: "viewer-pass", permissions: "read" },
  { username: "flows-only", password: "flows-pass", permissions: ["flows.read"] },
];

let broker: TestBroker;
let red: RunningNodeRed;

before(async () => {
  broker = await startBroker();
  red = await startNodeRed({ users: USERS });
  const flow = [
    { id: "tab", type: "tab", label: "claude" },
    { id: "s1", type: "claude-session", name: "authbot", broker: broker.url, prefix: uniquePrefix(), qos: 1, heartbeat: 60, admitted: [], watched: [], muted: [] },
    { id: "g1", type: "claude-gate", z: "tab", session: "s1", mode: "lists", subject: "topic", subjectType: "msg", wires: [[], [], []] },
  ];
  await red.deploy(flow, await red.token("admin", "admin-pass"));
});
after(async () => {
  await red?.stop();
  await broker?.stop();
});

async function sessions(token?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${red.url}claude-channel/sessions`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  return { status: response.status, body: await response.text() };
}

describe("the sidebar's admin route with adminAuth", () => {
  test("refuses a caller without a token, or with a bad one", async () => {
    assert.equal((await sessions()).status, 401);
    assert.equal((await sessions("not-a-token")).status, 401);
  });

  test("refuses a user whose permissions do not include claude-session.read", async () => {
    assert.equal((await sessions(await red.token("flows-only", "flows-pass"))).status, 401);
  });

  test("answers a user with read permission, listing the deployed session", async () => {
    const token = await red.token("viewer", "viewer-pass");
    const listed = await sessions(token);
    assert.equal(listed.status, 200, listed.body);
    const [session] = JSON.parse(listed.body) as SessionSnapshot[];
    assert.equal(session?.id, "s1");
    assert.equal(session?.name, "authbot");
  });
});
