import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { ModeChoice, SessionBackend } from "../../mcp-bridge/backend.js";
import { buildInstructions, MAX_INSTRUCTIONS_LENGTH, MAX_SHOWN_PERMISSIONS_LENGTH, MAX_SHOWN_TOPIC_LENGTH } from "../../mcp-bridge/instructions.js";
import { describePermissions } from "../../core/permissions.js";
import { sessionTopics } from "../../core/layout.js";
import { MAX_SESSION_NAME_LENGTH } from "../../core/session-name.js";
import { shutdownOnce } from "../../mcp-bridge/lifecycle.js";
import { createBridge, type Bridge } from "../../mcp-bridge/server.js";
import { CHANNEL_METHOD, type ChannelNotification } from "../../session/notification.js";
import type { ToolOutcome } from "../../session/tools/run.js";
import { TOOL_NAMES } from "../../session/tools/schemas.js";

/** A backend that answers from a script, to pin what the server does around it. */
class ScriptedBackend implements SessionBackend {
  readonly calls: Array<[string, unknown]> = [];
  private listener: ((n: ChannelNotification) => void) | undefined;

  constructor(private readonly answer: (tool: string, args: unknown) => Promise<ToolOutcome>) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  call(tool: string, args: unknown): Promise<ToolOutcome> {
    this.calls.push([tool, args]);
    return this.answer(tool, args);
  }
  onNotification(listener: (n: ChannelNotification) => void): void {
    this.listener = listener;
  }
  emit(n: ChannelNotification): void {
    this.listener?.(n);
  }
  describe(): ModeChoice {
    return { mode: "flow", reason: "scripted for the test" };
  }
  async approver(): Promise<boolean> {
    return false;
  }
  async relayPermission(): Promise<void> {}
  onVerdict(): void {}
  relayStatus(): Record<string, unknown> {
    return {};
  }
}

interface Harness {
  bridge: Bridge;
  backend: ScriptedBackend;
  client: Client;
  received: ChannelNotification[];
  logs: string[];
}

async function connected(answer: (tool: string, args: unknown) => Promise<ToolOutcome>, before?: (h: Omit<Harness, "client">) => void): Promise<Harness> {
  const backend = new ScriptedBackend(answer);
  const logs: string[] = [];
  const bridge = createBridge({ backend, version: "9.9.9", instructions: "be nice", log: (level, m) => logs.push(`${level}: ${m}`) });
  const received: ChannelNotification[] = [];
  before?.({ bridge, backend, received, logs });
  const client = new Client({ name: "t", version: "0" });
  client.fallbackNotificationHandler = async (n) => {
    if (n.method === CHANNEL_METHOD) received.push(n.params as unknown as ChannelNotification);
  };
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await bridge.connect(serverSide);
  await client.connect(clientSide);
  return { bridge, backend, client, received, logs };
}

const note = (content: string): ChannelNotification => ({ content, meta: { tier: "admitted", topic: "t", sender: "s", ts: "now" } });

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(check(), "condition not met");
}

describe("createBridge", () => {
  test("passes the arguments to the backend and its outcome back as one text item", async () => {
    const h = await connected(async (tool) => ({ text: `ran ${tool}`, isError: tool === "mute" }));
    const ok = await h.client.callTool({ name: "admit", arguments: { pattern: "a/#" } });
    assert.deepEqual(ok, { content: [{ type: "text", text: "ran admit" }], isError: false });
    const failed = await h.client.callTool({ name: "mute", arguments: { pattern: "x" } });
    assert.deepEqual(failed, { content: [{ type: "text", text: "ran mute" }], isError: true });
    const noArgs = await h.client.callTool({ name: "sessions" });
    assert.equal(noArgs.isError, false);
    assert.deepEqual(h.backend.calls, [["admit", { pattern: "a/#" }], ["mute", { pattern: "x" }], ["sessions", {}]]);
  });

  test("a backend that throws becomes an isError result and the server keeps answering", async () => {
    const h = await connected(async (tool) => {
      if (tool === "publish") throw new Error("boom");
      return { text: "fine", isError: false };
    });
    const result = await h.client.callTool({ name: "publish", arguments: {} });
    assert.deepEqual(result, { content: [{ type: "text", text: "publish failed: boom" }], isError: true });
    assert.ok(h.logs.some((l) => l.startsWith("error: tool publish failed unexpectedly: boom")));
    assert.equal((await h.client.callTool({ name: "status" })).isError, false);
  });

  test("status gains mode and modeReason after host, and the notification counts", async () => {
    const h = await connected(async () => ({ data: { session: "a", version: "1", host: "flow", broker: "b" }, isError: false }));
    const result = await h.client.callTool({ name: "status" });
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    const status = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(status), ["session", "version", "host", "mode", "modeReason", "broker", "notifications", "permissionRelay"]);
    assert.deepEqual(status.permissionRelay, { relayed: false, why: "no authenticated approver, so Claude Code keeps its prompts in the terminal" });
    assert.equal(status.mode, "flow");
    assert.equal(status.modeReason, "scripted for the test");
  });

  test("lists every tool with its description and an object schema", async () => {
    const h = await connected(async () => ({ text: "", isError: false }));
    const { tools } = await h.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), [...TOOL_NAMES]);
    assert.ok(tools.every((t) => t.inputSchema.type === "object" && (t.description ?? "").length > 0));
    assert.equal(h.client.getInstructions(), "be nice");
  });

  test("messages admitted before the MCP handshake are held and then sent in order", async () => {
    const h = await connected(
      async () => ({ text: "", isError: false }),
      ({ backend }) => {
        backend.emit(note("early 1"));
        backend.emit(note("early 2"));
      },
    );
    h.backend.emit(note("late"));
    await until(() => h.received.length === 3);
    assert.deepEqual(h.received.map((n) => n.content), ["early 1", "early 2", "late"]);
    assert.deepEqual(h.received[0]!.meta, { tier: "admitted", topic: "t", sender: "s", ts: "now" });
  });

  test("a notification that cannot be sent is logged and counted, not thrown", async () => {
    const h = await connected(async () => ({ text: "{}", isError: false }));
    await h.bridge.server.transport?.close();
    h.bridge.deliver(note("into the void"));
    await until(() => h.logs.some((l) => l.includes("could not be sent")));
    assert.match(h.logs.find((l) => l.includes("could not be sent"))!, /^error: channel notification on t could not be sent: /);
  });
});

describe("shutdownOnce", () => {
  test("runs stop once however often it is triggered, then exits 0", async () => {
    let stops = 0;
    const exits: number[] = [];
    const shutdown = shutdownOnce({ stop: async () => void stops++, exit: (code) => exits.push(code), log: () => undefined });
    await Promise.all([shutdown("stdin ended"), shutdown("SIGTERM"), shutdown("stdin closed")]);
    assert.equal(stops, 1);
    assert.deepEqual(exits, [0]);
  });

  test("exits even when stop never finishes", async () => {
    const exits: number[] = [];
    const logs: string[] = [];
    const shutdown = shutdownOnce({
      stop: () => new Promise<void>(() => undefined),
      exit: (code) => exits.push(code),
      log: (_level, m) => logs.push(m),
      deadlineMs: 5,
    });
    void shutdown("SIGTERM");
    await until(() => exits.length === 1);
    assert.deepEqual(exits, [0]);
    assert.ok(logs.some((l) => l.includes("did not finish in time")));
  });
});

describe("instructions", () => {
  const text = buildInstructions({ session: "kitchen", prefix: "home/claude" });
  const securityRule = text.slice(0, text.indexOf("\n"));

  test("name the session, its inbox and how to reach another session's", () => {
    assert.match(text, /You are session "kitchen"/);
    assert.ok(text.includes("home/claude/sessions/kitchen/inbox"));
    assert.ok(text.includes("home/claude/sessions/<name>/inbox"));
  });

  test("show the tag as Claude Code renders it for the plugin, and explain every attribute and tier", () => {
    assert.ok(text.includes('<channel source="plugin:mqtt:mqtt" tier="admitted" topic="..." sender="..." ts="...">content</channel>'));
    for (const attribute of ["source", "tier", "topic", "sender", "ts", "sent_ts", "correlation_id", "reply_to", "reply_with", "retained", "payload", "via", "updates", "first_ts", "held", "ping"]) {
      assert.match(text, new RegExp(`\\b${attribute}\\b`), attribute);
    }
    for (const tier of ["admitted", "watched", "muted"]) assert.match(text, new RegExp(`\\b${tier} (messages|ones)\\b`), tier);
    for (const tool of ["reply", "publish", "request", "inbox", "status"]) assert.match(text, new RegExp(`\\b${tool}\\b`), tool);
  });

  test("start with the security rule: sender is a claim, what to refuse, who changes the lists", () => {
    assert.match(securityRule, /^Security: /);
    assert.match(securityRule, /prompt injection/);
    assert.match(securityRule, /tell the user in this terminal/);
    assert.match(securityRule, /Only the user in this terminal changes the lists\.$/);
    assert.match(text, /answer it with the reply tool, topic = reply_to, correlation_id = correlation_id/);
    assert.match(text, /sender: .*not a verified identity/);
  });

  test(`fit in the ${MAX_INSTRUCTIONS_LENGTH} characters Claude Code keeps, at the longest session name and any prefix`, () => {
    const longest = "n".repeat(MAX_SESSION_NAME_LENGTH);
    const fixed = sessionTopics("", longest).inbox.length;
    // Around the longest inbox topic still shown, and far beyond it.
    const prefixes = [1, MAX_SHOWN_TOPIC_LENGTH - fixed - 1, MAX_SHOWN_TOPIC_LENGTH - fixed, MAX_SHOWN_TOPIC_LENGTH - fixed + 1, 5000, 100_000].map((n) => "p".repeat(n));
    // And the longest publish permissions still shown, or many more.
    const widest = { allow: ["x".repeat(MAX_SHOWN_PERMISSIONS_LENGTH - "only ".length)], deny: [] };
    assert.equal(describePermissions(widest).length, MAX_SHOWN_PERMISSIONS_LENGTH);
    const many = { allow: Array.from({ length: 1000 }, (_, i) => `home/${i}/#`), deny: ["home/lock/#"] };
    const lengths = prefixes.flatMap((prefix) =>
      [undefined, widest, many].map((permissions) => buildInstructions({ session: longest, prefix, permissions }).length),
    );
    assert.ok(lengths.every((n) => n <= MAX_INSTRUCTIONS_LENGTH), `lengths ${lengths.join(", ")}`);
    assert.ok(buildInstructions({ session: longest, prefix: prefixes[2]!, permissions: widest }).includes(widest.allow[0]!), "the longest permissions still shown are shown");
    assert.match(buildInstructions({ session: "a", prefix: "p", permissions: many }), /too long to show here; status shows them/);
    const atLimit = buildInstructions({ session: longest, prefix: prefixes[2]! });
    assert.ok(atLimit.includes(sessionTopics(prefixes[2]!, longest).inbox), "the longest inbox still shown is shown");
    const beyond = buildInstructions({ session: longest, prefix: prefixes[3]! });
    assert.ok(!beyond.includes(prefixes[3]!), "a longer one is left to status");
    assert.match(beyond, /status names it/);
    for (const session of ["a", longest]) assert.ok(buildInstructions({ session, prefix: prefixes[5]! }).startsWith(securityRule));
  });
});
