/**
 * One claude-session node's panel in the Claude sidebar. Its words come from claude-session's
 * messages (the `sidebar` section of locales/<language>/claude-session.json); message content,
 * topics and senders go in as text only.
 */
import type { EditorNode } from "../../shared/defaults.editor.js";
import type { LinkView, ListEntry, PatternOrigin, RecentAdmitted, SessionSnapshot, SessionState } from "./wire.js";

/** claude-session's `_`: the text of one of its message keys, with `__name__` filled in from `substitutions`. */
export type Translate = EditorNode["_"];

type ListName = keyof SessionSnapshot["lists"];
const LISTS: ReadonlyArray<[ListName, string]> = [
  ["admitted", "claude-session.sidebar.row.admitted"],
  ["watched", "claude-session.sidebar.row.watched"],
  ["muted", "claude-session.sidebar.row.muted"],
];

const STATES: Record<SessionState, { colour: string; label: string }> = {
  connected: { colour: "green", label: "claude-session.sidebar.state.connected" },
  connecting: { colour: "yellow", label: "claude-session.sidebar.state.connecting" },
  reconnecting: { colour: "yellow", label: "claude-session.sidebar.state.reconnecting" },
  disconnected: { colour: "red", label: "claude-session.sidebar.state.disconnected" },
  stopped: { colour: "grey", label: "claude-session.sidebar.state.stopped" },
  idle: { colour: "grey", label: "claude-session.sidebar.state.idle" },
  invalid: { colour: "red", label: "claude-session.sidebar.state.invalid" },
};

function bytes(t: Translate, n: number): string {
  if (n < 1024) return t("claude-session.sidebar.size.bytes", { size: n });
  if (n < 1024 * 1024) return t("claude-session.sidebar.size.kib", { size: (n / 1024).toFixed(1) });
  return t("claude-session.sidebar.size.mib", { size: (n / (1024 * 1024)).toFixed(1) });
}

function time(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleTimeString();
}

/** "muted 2, unmatched 5" for the non-zero counts; undefined when all are zero. */
function breakdown(counts: Record<string, number>): string | undefined {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

function row(table: JQuery, label: string, value: JQuery | string, key?: string): void {
  const tr = $("<tr>").appendTo(table);
  $('<td class="claude-sidebar-label">').text(label).appendTo(tr);
  const cell = $("<td>").appendTo(tr);
  if (key) cell.attr("data-row", key);
  if (typeof value === "string") cell.text(value);
  else cell.append(value);
}

function count(key: string, n: number, detail?: string): JQuery {
  const out = $("<span>");
  $('<span class="claude-sidebar-count">').attr("data-count", key).text(String(n)).appendTo(out);
  if (detail) $('<span class="claude-sidebar-detail">').text(` (${detail})`).appendTo(out);
  return out;
}

function linkText(t: Translate, link: LinkView): string {
  if (link.state === "no-key") return t("claude-session.sidebar.link.noKey");
  if (link.state === "idle") return t("claude-session.sidebar.link.idle");
  const refused = breakdown(link.refused);
  const parts = [
    link.bridges.length === 0 ? t("claude-session.sidebar.link.noBridge") : t("claude-session.sidebar.link.bridges", { count: link.bridges.length }),
    t("claude-session.sidebar.link.outbox", { used: link.outbox, limit: link.outboxLimit }),
    t("claude-session.sidebar.link.refused", { frames: total(link.refused) }) + (refused ? ` (${refused})` : ""),
  ];
  if (link.droppedWhileAway > 0) parts.push(t("claude-session.sidebar.link.droppedWhileAway", { dropped: link.droppedWhileAway }));
  return parts.join(" · ");
}

/** How each origin is shown: its icon, and the key of what the tooltip says after the pattern. */
export const ORIGINS: Record<PatternOrigin, { icon: string; says: string }> = {
  owner: { icon: "fa fa-thumb-tack", says: "claude-session.sidebar.origin.owner" },
  inbox: { icon: "fa fa-inbox", says: "claude-session.sidebar.origin.inbox" },
  claude: { icon: "fa fa-comment-o", says: "claude-session.sidebar.origin.claude" },
};

/** Pattern chips; a pattern too long for the sidebar is cut short, and its tooltip holds all of it. */
function patterns(t: Translate, entries: ListEntry[]): JQuery {
  const out = $('<div class="claude-sidebar-patterns">');
  if (entries.length === 0) $('<span class="claude-sidebar-detail">').text(t("claude-session.sidebar.none")).appendTo(out);
  for (const entry of entries) {
    const shown = ORIGINS[entry.origin];
    const chip = $('<span class="claude-sidebar-pattern">')
      .addClass(`claude-sidebar-${entry.origin}`)
      .attr({ "data-origin": entry.origin, title: `${entry.pattern}\n${t(shown.says)}` })
      .appendTo(out);
    $("<i>").addClass(shown.icon).appendTo(chip);
    $("<code>").text(entry.pattern).appendTo(chip);
  }
  return out;
}

function recentList(t: Translate, recent: RecentAdmitted[]): JQuery {
  const out = $('<ol class="claude-sidebar-recent">');
  for (const event of [...recent].reverse()) {
    const item = $("<li>").appendTo(out);
    const head = $('<div class="claude-sidebar-recent-head">').appendTo(item);
    $('<span class="claude-sidebar-detail">').text(time(event.at)).appendTo(head);
    $("<code>").text(event.topic).appendTo(head);
    if (event.sender !== undefined) $('<span class="claude-sidebar-detail">').text(t("claude-session.sidebar.from", { sender: event.sender })).appendTo(head);
    $('<div class="claude-sidebar-preview">')
      .text(event.preview + (event.truncated ? " …" : ""))
      .appendTo(item);
  }
  return out;
}

/** Claude Code wrote these texts from what the model asked, which may come from untrusted messages: text only. */
function permissionList(t: Translate, permissions: SessionSnapshot["permissions"]): JQuery {
  const out = $('<div class="claude-sidebar-permissions">');
  const { waiting, allowed, denied, expired } = permissions;
  $('<div class="claude-sidebar-subhead">')
    .text(t("claude-session.sidebar.permissions", { waiting: waiting.length, allowed, denied, expired }))
    .appendTo(out);
  const list = $('<ol class="claude-sidebar-recent">').appendTo(out);
  for (const request of waiting) {
    const item = $("<li>").attr("data-request-id", request.request_id).appendTo(list);
    const head = $('<div class="claude-sidebar-recent-head">').appendTo(item);
    $("<code>").text(request.tool_name).appendTo(head);
    $('<span class="claude-sidebar-detail">').text(t("claude-session.sidebar.until", { id: request.request_id, time: time(request.expires) })).appendTo(head);
    $('<div class="claude-sidebar-preview">').text(request.description).appendTo(item);
    $('<div class="claude-sidebar-preview">').text(request.input_preview).appendTo(item);
  }
  return out;
}

export function renderSession(t: Translate, snapshot: SessionSnapshot, edit: () => void): JQuery {
  const panel = $('<div class="claude-sidebar-session">').attr("data-session-id", snapshot.id);
  const head = $('<div class="claude-sidebar-head">').appendTo(panel);
  const { state, detail } = snapshot.connection;
  $('<span class="claude-sidebar-dot">').addClass(`claude-sidebar-${STATES[state].colour}`).appendTo(head);
  $('<a href="#" class="claude-sidebar-name">')
    .text(snapshot.name || snapshot.id)
    .attr("title", t("claude-session.sidebar.edit", { name: snapshot.name || snapshot.id }))
    .on("click", (e) => {
      e.preventDefault();
      edit();
    })
    .appendTo(head);
  $('<span class="claude-sidebar-state">').attr("data-state", state).text(t(STATES[state].label)).appendTo(head);

  const table = $('<table class="red-ui-info-table claude-sidebar-table">').appendTo(panel);
  if (detail) row(table, t("claude-session.sidebar.row.detail"), detail);
  row(table, t("claude-session.sidebar.row.link"), linkText(t, snapshot.link), "link");
  const { counts, buffer } = snapshot;
  const replies = counts.replies > 0 ? t("claude-session.sidebar.replies", { count: counts.replies }) : undefined;
  row(table, t("claude-session.sidebar.row.admitted"), count("admitted", counts.admitted, replies));
  row(table, t("claude-session.sidebar.row.watched"), count("watched", counts.watched));
  const kept = t("claude-session.sidebar.buffer", {
    topics: t("claude-session.sidebar.topics", { count: buffer.topics }),
    used: bytes(t, buffer.bytes),
    max: bytes(t, buffer.maxBytes),
    maxAge: buffer.maxAge,
    maxPerTopic: buffer.maxPerTopic,
  });
  row(table, t("claude-session.sidebar.row.buffer"), count("buffer", buffer.messages, kept));
  row(table, t("claude-session.sidebar.row.dropped"), count("dropped", total(counts.dropped), breakdown(counts.dropped)));
  row(table, t("claude-session.sidebar.row.evicted"), count("evicted", total({ ...counts.evicted }), breakdown({ ...counts.evicted })));
  for (const [list, label] of LISTS) row(table, t(label), patterns(t, snapshot.lists[list]), list);

  for (const problem of snapshot.problems) $('<div class="claude-sidebar-problem">').text(problem).appendTo(panel);

  if (snapshot.permissions.approvers > 0 || snapshot.permissions.waiting.length > 0) permissionList(t, snapshot.permissions).appendTo(panel);

  $('<div class="claude-sidebar-subhead">').text(t("claude-session.sidebar.recent", { shown: snapshot.recent.length })).appendTo(panel);
  if (snapshot.recent.length === 0) $('<div class="claude-sidebar-detail">').text(t("claude-session.sidebar.nothingAdmitted")).appendTo(panel);
  else recentList(t, snapshot.recent).appendTo(panel);
  return panel;
}
