import { test } from "node:test";
import assert from "node:assert/strict";
import { parseInbound } from "../../core/envelope.js";
import { Session } from "../../session/session.js";
import { TOOL_OUTPUT_BUDGET_BYTES, STATUS_LIST_ITEMS } from "../../session/tools/budget.js";
import { renderOutcome, runTool } from "../../session/tools/run.js";
import { sessionOptions } from "../helpers/session.js";

const TOPICS = 10_000;

/** A session (never started: ingest and the tools need no broker) watching 10,000 topics, under 10,000 watched patterns. */
function busySession(): Session {
  const watched = Array.from({ length: TOPICS }, (_, i) => `flood/${i}`);
  const session = new Session(sessionOptions("mqtt://127.0.0.1:1", { pinned: { watched } }));
  for (let i = 0; i < TOPICS; i++) session.ingest(`flood/${i}`, parseInbound(`reading ${i} `.repeat(4), 1024), { via: "mqtt" });
  return session;
}

async function answer(session: Session, tool: string, args: Record<string, unknown> = {}): Promise<string> {
  const outcome = renderOutcome(await runTool(session, tool, args));
  assert.equal(outcome.isError, false, outcome.text);
  assert.ok(Buffer.byteLength(outcome.text) <= TOOL_OUTPUT_BUDGET_BYTES, `${tool} answered ${Buffer.byteLength(outcome.text)} bytes, over the budget`);
  return outcome.text;
}

test("with 10,000 watched topics every tool answer fits the size budget and says what it left out", async () => {
  const session = busySession();

  const status = JSON.parse(await answer(session, "status"));
  assert.equal(status.pinned.watched.count, TOPICS);
  assert.equal(status.pinned.watched.first.length, STATUS_LIST_ITEMS);
  assert.match(status.pinned.watched.more, /9980 more not shown/);
  assert.equal(Object.keys(status.buffer).length, STATUS_LIST_ITEMS);
  assert.equal(status.bufferTopics, TOPICS);

  const summary = await answer(session, "inbox");
  assert.match(summary, /^Buffered messages:\nflood\/\d+: 1 message\(s\)/);
  const listed = summary.split("\n").filter((line) => line.startsWith("flood/")).length;
  assert.match(summary, new RegExp(`… ${TOPICS - listed} more topic\\(s\\) with ${TOPICS - listed} message\\(s\\) not listed; read them by pattern`));

  const topics = await answer(session, "topics", { limit: 200 });
  assert.match(topics, /more topic\(s\) not shown \(the answer's size budget\); narrow them with pattern/);

  const config = JSON.parse(await answer(session, "config"));
  assert.ok(Array.isArray(config.watched), "Claude's own lists stay lists while short");
});

test("inbox with clear=true clears only the messages it showed, and the rest are read by asking again", async () => {
  const session = busySession();
  const seen = new Set<string>();
  let rounds = 0;
  for (;;) {
    const text = await answer(session, "inbox", { topic: "flood/#", limit: 1000, clear: true });
    if (text.startsWith("No buffered messages")) break;
    const lines = text.split("\n").filter((line) => line.startsWith("["));
    for (const line of lines) seen.add(line);
    const cleared = Number(/Cleared (\d+) message/.exec(text)?.[1]);
    assert.equal(cleared, lines.length, "cleared exactly what was shown");
    rounds++;
    assert.ok(rounds < 1000, "the buffer drains");
  }
  assert.equal(seen.size, TOPICS, "every message was shown once before it was cleared");
  assert.ok(rounds > 1, "the budget cut the listing");
});

test("one message larger than the budget is shown whole, never cut", async () => {
  const session = new Session(sessionOptions("mqtt://127.0.0.1:1", { pinned: { watched: ["big/#"] } }));
  const content = "x".repeat(3 * TOOL_OUTPUT_BUDGET_BYTES);
  session.ingest("big/one", parseInbound(content, 1_000_000), { via: "mqtt" });
  session.ingest("big/one", parseInbound("next", 1_000_000), { via: "mqtt" });
  const outcome = renderOutcome(await runTool(session, "inbox", { topic: "big/one" }));
  assert.ok(outcome.text.includes(content));
  assert.match(outcome.text, /… 1 more not shown \(this answer's size budget\)/);
});
