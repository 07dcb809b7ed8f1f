/**
 * What Claude sees: the real, built bridge (`dist/mcp-bridge/main.js`) spawned and
 * spoken to with an MCP `Client` over stdio, as Claude Code does. Its state directory
 * holds the same `.env` a real Claude Code is told to use, so the view proves that file
 * works. Channel notifications are kept (the latest ones) and announced as they come.
 */
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CHANNEL_METHOD, type ChannelNotification } from "../session/notification.js";
import { channelTag, parseChannelParams } from "./channel-tag.js";

export const BRIDGE_MAIN = join(__dirname, "..", "mcp-bridge", "main.js");

const KEPT_NOTIFICATIONS = 200;
const KEPT_STDERR_CHARS = 20_000;

export interface SeenNotification {
  /** When the view received it (ISO time). */
  at: string;
  notification: ChannelNotification;
  /** As Claude reads it: `<channel …>content</channel>`. */
  tag: string;
}

export interface ToolText {
  text: string;
  isError: boolean;
}

interface ViewEvents {
  notification: [SeenNotification];
  /** The bridge went away without being asked to (its last stderr lines say why). */
  lost: [stderr: string];
}

export class ClaudeView extends EventEmitter<ViewEvents> {
  private readonly kept: SeenNotification[] = [];
  private stderrTail = "";
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly client: Client,
  ) {
    super();
  }

  /** Starts the bridge with `MQTT_STATE_DIR=stateDir` (its `.env` says the rest). */
  static async start(stateDir: string, version: string): Promise<ClaudeView> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BRIDGE_MAIN],
      // getDefaultEnvironment passes HOME, PATH and the like only: the user's own MQTT_* variables stay out.
      env: { ...getDefaultEnvironment(), MQTT_STATE_DIR: stateDir },
      stderr: "pipe",
    });
    const client = new Client({ name: "claude-channel-demo", version });
    const view = new ClaudeView(client);
    transport.stderr?.on("data", (chunk: Buffer) => {
      view.stderrTail = (view.stderrTail + chunk.toString()).slice(-KEPT_STDERR_CHARS);
    });
    client.fallbackNotificationHandler = async (notification) => {
      if (notification.method !== CHANNEL_METHOD) return;
      const params = parseChannelParams(notification.params);
      if (params) view.record(params);
    };
    await client.connect(transport);
    client.onclose = () => {
      if (!view.closing) view.emit("lost", view.stderrTail);
    };
    return view;
  }

  notifications(): readonly SeenNotification[] {
    return this.kept;
  }

  async call(tool: string, args: Record<string, unknown> = {}): Promise<ToolText> {
    const result = await this.client.callTool({ name: tool, arguments: args });
    const content = Array.isArray(result.content) ? (result.content as Array<{ type: string; text?: unknown }>) : [];
    const text = content.map((c) => (c.type === "text" && typeof c.text === "string" ? c.text : `[${c.type}]`)).join("\n");
    return { text, isError: result.isError === true };
  }

  /** The bridge's latest stderr lines (its log, which Claude Code keeps in its MCP log). */
  stderr(): string {
    return this.stderrTail;
  }

  /** Closes the MCP connection; the bridge exits with it. Runs once. */
  close(): Promise<void> {
    this.closing ??= this.client.close();
    return this.closing;
  }

  private record(notification: ChannelNotification): void {
    const seen: SeenNotification = { at: new Date().toISOString(), notification, tag: channelTag(notification) };
    this.kept.push(seen);
    if (this.kept.length > KEPT_NOTIFICATIONS) this.kept.shift();
    this.emit("notification", seen);
  }
}
