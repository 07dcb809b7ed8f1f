import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { received } from "../nodes/helpers/red.js";
import { connected, exampleSuite, listening, loadExample, nextAdmitted, press } from "./harness.js";

const suite = exampleSuite({ peer: { subscribe: ["claude/sessions/+/inbox"] } });

const EXAMPLE = "two-sessions-talking";

interface Envelope {
  sender: string;
  ts: string;
  content: string;
}

describe("example: two Claude sessions talking through their inboxes", () => {
  test("office writes into home's inbox, as office; home admits it, so its Claude hears it at once", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps: { "talk-inboxes": [["conversation"]] } });
    const home = await connected("claude-session-home");
    await connected("claude-session-office");
    await listening();
    const toClaude = nextAdmitted(home, (m) => m.topic === "claude/sessions/home/inbox");
    const shown = received("conversation");
    press("talk-office-writes");
    const onBroker = await suite.peer.next((m) => m.topic === "claude/sessions/home/inbox", "the note in home's inbox");
    const envelope = JSON.parse(onBroker.payload.toString()) as Envelope;
    assert.equal(envelope.sender, "office");
    assert.match(envelope.content, /printer is out of toner/);
    const admitted = await toClaude;
    assert.equal(admitted.sender, "office");
    assert.equal(admitted.content, envelope.content);
    const [msg] = await shown;
    assert.equal(msg!.topic, "claude/sessions/home/inbox");
  });

  test("home writes into office's inbox, as home, and office admits it", async () => {
    await loadExample(EXAMPLE, suite.broker.url);
    await connected("claude-session-home");
    const office = await connected("claude-session-office");
    const toClaude = nextAdmitted(office, (m) => m.topic === "claude/sessions/office/inbox");
    press("talk-home-writes");
    const admitted = await toClaude;
    assert.equal(admitted.sender, "home");
    assert.match(admitted.content, /front door is locked/);
  });
});
