/**
 * The "what Claude sees" page, served under `/claude-view/`: the channel notifications
 * as Claude reads them, live (server-sent events), and the `inbox` tool's output,
 * refreshed while someone is looking. Everything on it comes from the real bridge.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ClaudeView, SeenNotification, ToolText } from "./claude-view.js";
import { pageHtml, type PageInfo } from "./page-html.js";

export const PAGE_PATH = "/claude-view/";
const INBOX_REFRESH_MS = 2000;
const KEEPALIVE_MS = 15_000;

/** The tool calls whose output the page shows, as Claude would make them: the summary, then one topic read. */
const INBOX_CALLS: ReadonlyArray<{ call: string; args: Record<string, unknown> }> = [
  { call: "inbox", args: {} },
  { call: 'inbox {"topic": "homeassistant/sensor/living_room_temperature"}', args: { topic: "homeassistant/sensor/living_room_temperature" } },
];

export class ClaudePage {
  private readonly clients = new Set<ServerResponse>();
  private inbox: string | undefined;
  private refresher: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private refreshing = false;
  private readonly onNotification = (seen: SeenNotification): void => this.broadcast("notification", notificationEvent(seen));

  constructor(
    private readonly view: ClaudeView,
    private readonly info: PageInfo,
  ) {
    view.on("notification", this.onNotification);
  }

  /** Serves the page's paths; false for any other request. */
  readonly route = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === PAGE_PATH.slice(0, -1)) {
      res.writeHead(302, { Location: PAGE_PATH }).end();
    } else if (path === PAGE_PATH) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(pageHtml(this.info));
    } else if (path === `${PAGE_PATH}events`) {
      this.subscribe(res);
    } else {
      return false;
    }
    return true;
  };

  close(): void {
    this.view.off("notification", this.onNotification);
    clearInterval(this.refresher);
    clearInterval(this.keepalive);
    this.refresher = this.keepalive = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private subscribe(res: ServerResponse): void {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    for (const seen of this.view.notifications()) send(res, "notification", notificationEvent(seen));
    if (this.inbox !== undefined) send(res, "inbox", this.inbox);
    this.clients.add(res);
    res.on("close", () => {
      this.clients.delete(res);
      if (this.clients.size === 0) {
        clearInterval(this.refresher);
        clearInterval(this.keepalive);
        this.refresher = this.keepalive = undefined;
      }
    });
    if (!this.refresher) {
      this.refresher = setInterval(() => void this.refreshInbox(), INBOX_REFRESH_MS);
      this.keepalive = setInterval(() => {
        for (const client of this.clients) client.write(": keepalive\n\n");
      }, KEEPALIVE_MS);
      void this.refreshInbox();
    }
  }

  private async refreshInbox(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const outputs: Array<{ call: string } & ToolText> = [];
      for (const { call, args } of INBOX_CALLS) {
        const result = await this.view.call("inbox", args).catch((err: unknown) => ({ text: `the bridge did not answer: ${String(err)}`, isError: true }));
        outputs.push({ call, ...result });
      }
      const data = JSON.stringify({ at: new Date().toISOString(), outputs });
      this.inbox = data;
      this.broadcast("inbox", data);
    } finally {
      this.refreshing = false;
    }
  }

  private broadcast(event: string, data: string): void {
    for (const res of this.clients) send(res, event, data);
  }
}

function notificationEvent(seen: SeenNotification): string {
  return JSON.stringify({ at: seen.at, tag: seen.tag });
}

function send(res: ServerResponse, event: string, data: string): void {
  // JSON.stringify leaves no raw line feeds, so the data is one SSE line.
  res.write(`event: ${event}\ndata: ${data}\n\n`);
}
