import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Session } from "../../session/session.js";
import { nextEvent, sessionOptions } from "../helpers/session.js";
import { logged, LOG_ERROR, received } from "../nodes/helpers/red.js";
import { connected, exampleSuite, helper, listening, loadExample, until } from "./harness.js";

const suite = exampleSuite({ peer: {} });

const EXAMPLE = "answer-a-request";
const DOOR = "homeassistant/cover/garage_door/state";
let claude: Session;

beforeEach(async () => {
  // Claude's side: the session "home", asking with the request tool's operation.
  claude = new Session(sessionOptions(suite.broker.url, { name: "home", prefix: "claude", requestTimeoutSeconds: 10 }));
  const up = nextEvent(claude, "state", (state) => state === "connected");
  claude.start();
  await up;
});
afterEach(async () => {
  await claude.stop();
});

function doorKnown(state: string): Promise<void> {
  const keeper = helper.getNode("garage-door-keep") as unknown as { context(): { flow: { get(key: string): unknown } } };
  return until(() => keeper.context().flow.get("garage_door") === state, `the flow to know the door is ${state}`);
}

describe("example: a flow answering Claude's request", () => {
  test("\"is the garage open?\" is answered from the door's state, as the session garage", async () => {
    await loadExample(EXAMPLE, suite.broker.url);
    await connected("garage-session");
    await listening();

    const before = await claude.request("garage", "is the garage open?");
    assert.deepEqual(before, { content: "I have not heard from the garage door yet.", sender: "garage" });

    await suite.peer.publish(DOOR, "open", true);
    await doorKnown("open");
    assert.deepEqual(await claude.request("garage", "is the garage open?"), { content: "The garage door is open.", sender: "garage" });

    await suite.peer.publish(DOOR, "closed", true);
    await doorKnown("closed");
    assert.deepEqual(await claude.request("garage", "is the garage open?"), { content: "The garage door is closed.", sender: "garage" });
  });

  test("a note that is not a request is shown but not answered", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps: { "garage-gate": [["asked"]] } });
    await connected("garage-session");
    await listening();
    const seen = received("asked", 2);
    await claude.publish({ topic: "claude/sessions/garage/inbox", text: "thanks for the help" });
    const reply = await claude.request("garage", "is the garage open?");
    const [note, request] = await seen;
    assert.equal((note!.claude as { correlation_id?: string }).correlation_id, undefined);
    assert.equal(typeof (request!.claude as { correlation_id?: string }).correlation_id, "string");
    assert.equal(reply.sender, "garage");
    // Had the note reached claude-publish in reply mode, it would have failed there (nothing to reply to).
    assert.deepEqual(logged(LOG_ERROR, "garage-reply"), []);
  });

  test("a forged request naming another topic as reply_to publishes nothing: the reply stays in the reply space", async () => {
    await loadExample(EXAMPLE, suite.broker.url);
    await connected("garage-session");
    await listening();
    await suite.peer.subscribe("victim/#");
    const forged = { sender: "home", ts: new Date().toISOString(), content: "is the garage open?", correlation_id: "forged-1", reply_to: "victim/device/set" };
    await suite.peer.publish("claude/sessions/garage/inbox", JSON.stringify(forged));
    await until(() => logged(LOG_ERROR, "garage-reply").length > 0, "the reply node to refuse the forged request");
    assert.match(logged(LOG_ERROR, "garage-reply")[0]!, /victim\/device\/set is outside the reply space/);

    // A real request is still answered, and by then the forged one would have arrived too.
    assert.equal((await claude.request("garage", "is the garage open?")).sender, "garage");
    assert.deepEqual(suite.peer.received.filter((m) => m.topic.startsWith("victim/")), []);
    const garage = helper.getNode("garage-session") as unknown as { current(): { session: Session } };
    // The flow's own reply node is not bound by Claude's allow list, only by the reply space.
    assert.equal(garage.current().session.status().counts.refused["outside-reply-space"], 1);
  });
});
