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
  test("office writes into kitchen's inbox, as office; kitchen admits it, so its Claude hears it at once", async () => {
    await loadExample(EXAMPLE, suite.broker.url, { taps: { "talk-inboxes": [["conversation"]] } });
    const kitchen = await connected("talk-session-kitchen");
    await connected("talk-session-office");
    await listening();
    const toClaude = nextAdmitted(kitchen, (m) => m.topic === "claude/sessions/kitchen/inbox");
    const shown = received("conversation");
    press("talk-office-writes");
    const onBroker = await suite.peer.next((m) => m.topic === "claude/sessions/kitchen/inbox", "the note in kitchen's inbox");
    const envelope = JSON.parse(onBroker.payload.toString()) as Envelope;
    assert.equal(envelope.sender, "office");
    assert.match(envelope.content, /printer is out of toner/);
    const admitted = await toClaude;
    assert.equal(admitted.sender, "office");
    assert.equal(admitted.content, envelope.content);
    const [msg] = await shown;
    assert.equal(msg!.topic, "claude/sessions/kitchen/inbox");
  });

  test("kitchen writes into office's inbox, as kitchen, and office admits it", async () => {
    await loadExample(EXAMPLE, suite.broker.url);
    await connected("talk-session-kitchen");
    const office = await connected("talk-session-office");
    const toClaude = nextAdmitted(office, (m) => m.topic === "claude/sessions/office/inbox");
    press("talk-home-writes");
    const admitted = await toClaude;
    assert.equal(admitted.sender, "kitchen");
    assert.match(admitted.content, /front door is locked/);
  });
});
