/**
 * The model, played by a scripted Messages API server on 127.0.0.1. Claude Code sends
 * `POST /v1/messages` (streaming); each request is recorded, then answered by the first
 * rule that returns a reply (text, `tool_use` blocks, or both), else with a short text.
 * A rule may return a promise, which holds the answer: that is how a test keeps the model
 * busy. Replies stream as Server-Sent Events, the way the real API sends them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ToolUse {
  name: string;
  input: Record<string, unknown>;
}

export interface ModelReply {
  text?: string;
  toolUses?: ToolUse[];
}

/** A content block of a request message (only the fields the tests read). */
export interface ContentBlock {
  type: string;
  text?: string;
  name?: string;
  input?: unknown;
  id?: string;
  tool_use_id?: string;
  content?: string | ContentBlock[];
  is_error?: boolean;
}

export interface RequestMessage {
  /** Claude Code also sends mid-conversation "system" turns (e.g. the date). */
  role: "user" | "assistant" | "system";
  content: string | ContentBlock[];
}

export interface ModelRequest {
  /** Position in the order of arrival, from 0. */
  index: number;
  model: string;
  stream: boolean;
  system: string;
  messages: RequestMessage[];
  toolNames: string[];
  /** The whole body as sent, for searches across all of it. */
  raw: string;
}

export type Rule = (request: ModelRequest) => ModelReply | undefined | Promise<ModelReply | undefined>;

const DEFAULT_REPLY: ModelReply = { text: "Noted." };

export class ModelServer {
  readonly requests: ModelRequest[] = [];
  private readonly rules: Rule[] = [];
  private readonly waiters = new Set<() => void>();
  private toolIds = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ModelServer> {
    let model: ModelServer | undefined;
    const server = createServer((req, res) => {
      model!.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: String(err) } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    model = new ModelServer(server, `http://127.0.0.1:${port}`);
    return model;
  }

  /** Rules are tried in the order added; the first that returns a reply answers. */
  rule(rule: Rule): void {
    this.rules.push(rule);
  }

  clearRules(): void {
    this.rules.length = 0;
  }

  /** Resolves with the first recorded request (from `from` on) that satisfies `predicate`. */
  waitForRequest(predicate: (request: ModelRequest) => boolean, what: string, timeoutMs = 60_000, from = 0): Promise<ModelRequest> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.requests.slice(from).find(predicate);
        if (!found) return false;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`the model got no request ${what} within ${timeoutMs} ms (${this.requests.length} requests so far)`));
      }, timeoutMs);
      this.waiters.add(waiter);
      check();
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method !== "POST" || !(req.url ?? "").startsWith("/v1/messages")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: `no ${req.method} ${req.url} here` } }));
      return;
    }
    if ((req.url ?? "").startsWith("/v1/messages/count_tokens")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ input_tokens: Math.ceil(body.length / 4) }));
      return;
    }
    const request = parseRequest(body, this.requests.length);
    this.requests.push(request);
    for (const waiter of [...this.waiters]) waiter();
    const reply = await this.answer(request);
    if (request.stream) this.stream(res, request, reply);
    else this.json(res, request, reply);
  }

  private async answer(request: ModelRequest): Promise<ModelReply> {
    for (const rule of this.rules) {
      const reply = await rule(request);
      if (reply) return reply;
    }
    return DEFAULT_REPLY;
  }

  private blocks(reply: ModelReply): Array<{ type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }> {
    const blocks: Array<{ type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }> = [];
    if (reply.text !== undefined) blocks.push({ type: "text", text: reply.text });
    for (const use of reply.toolUses ?? []) blocks.push({ type: "tool_use", id: `toolu_${String(++this.toolIds).padStart(6, "0")}`, name: use.name, input: use.input });
    return blocks;
  }

  private json(res: ServerResponse, request: ModelRequest, reply: ModelReply): void {
    const content = this.blocks(reply);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: `msg_${request.index}`,
        type: "message",
        role: "assistant",
        model: request.model,
        content,
        stop_reason: content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 10 },
      }),
    );
  }

  private stream(res: ServerResponse, request: ModelRequest, reply: ModelReply): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const send = (event: string, data: unknown): void => void res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send("message_start", {
      type: "message_start",
      message: { id: `msg_${request.index}`, type: "message", role: "assistant", model: request.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } },
    });
    const blocks = this.blocks(reply);
    blocks.forEach((block, index) => {
      if (block.type === "text") {
        send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
        send("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: block.text } });
      } else {
        send("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
        send("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } });
      }
      send("content_block_stop", { type: "content_block_stop", index });
    });
    const stopReason = blocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
    send("message_delta", { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 10 } });
    send("message_stop", { type: "message_stop" });
    res.end();
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

interface RawRequest {
  model?: unknown;
  stream?: unknown;
  system?: unknown;
  messages?: unknown;
  tools?: unknown;
}

function parseRequest(raw: string, index: number): ModelRequest {
  const body = JSON.parse(raw) as RawRequest;
  const system = typeof body.system === "string" ? body.system : Array.isArray(body.system) ? body.system.map((b: { text?: unknown }) => (typeof b.text === "string" ? b.text : "")).join("\n") : "";
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return {
    index,
    model: typeof body.model === "string" ? body.model : "unknown",
    stream: body.stream === true,
    system,
    messages: Array.isArray(body.messages) ? (body.messages as RequestMessage[]) : [],
    toolNames: tools.map((t: { name?: unknown }) => (typeof t.name === "string" ? t.name : "")),
    raw,
  };
}

// ── reading requests ──────────────────────────────────────────────────────────

/** All text of a message (text blocks and text inside tool results), in order. */
export function messageText(message: RequestMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content.map(blockText).join("\n");
}

function blockText(block: ContentBlock): string {
  if (block.type === "text") return block.text ?? "";
  if (block.type === "tool_result") return typeof block.content === "string" ? block.content : (block.content ?? []).map(blockText).join("\n");
  return "";
}

/** The text of the last user turn of the request (the turn the model is asked to answer). */
export function lastUserText(request: ModelRequest): string {
  const last = lastUserMessage(request);
  return last ? messageText(last) : "";
}

function lastUserMessage(request: ModelRequest): RequestMessage | undefined {
  return request.messages.filter((m) => m.role === "user").at(-1);
}

/** Every `<channel …>…</channel>` block in a text, in order. */
export function channelBlocks(text: string): string[] {
  return [...text.matchAll(/<channel\b[^>]*>[\s\S]*?<\/channel>/g)].map((m) => m[0]);
}

/** The attributes of a `<channel …>` tag, in order, repeated names included. */
export function channelAttributes(block: string): Array<[string, string]> {
  const tag = /^<channel\b([^>]*)>/.exec(block)?.[1] ?? "";
  return [...tag.matchAll(/([A-Za-z_][A-Za-z0-9_]*)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]);
}

/** The tool results in the last message, with the tool name taken from the call before it. */
export function toolResults(request: ModelRequest): Array<{ name: string; text: string; isError: boolean }> {
  const last = lastUserMessage(request);
  if (!last || typeof last.content === "string") return [];
  const calls = new Map<string, string>();
  for (const message of request.messages) {
    if (message.role !== "assistant" || typeof message.content === "string") continue;
    for (const block of message.content) if (block.type === "tool_use" && block.id !== undefined) calls.set(block.id, block.name ?? "");
  }
  return last.content
    .filter((block) => block.type === "tool_result")
    .map((block) => ({ name: calls.get(block.tool_use_id ?? "") ?? "", text: blockText(block), isError: block.is_error === true }));
}
