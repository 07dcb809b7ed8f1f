/** One claude-session node's panel in the Claude sidebar. Message content goes in as text only. */
import type { LinkView, ListEntry, PatternOrigin, RecentAdmitted, SessionSnapshot } from "./wire.js";

type ListName = keyof SessionSnapshot["lists"];
const LISTS: ReadonlyArray<[ListName, string]> = [
  ["admitted", "Admitted"],
  ["watched", "Watched"],
  ["muted", "Muted"],
];

const STATE_COLOUR: Record<SessionSnapshot["connection"]["state"], string> = {
  connected: "green",
  connecting: "yellow",
  reconnecting: "yellow",
  disconnected: "red",
  stopped: "grey",
  idle: "grey",
  invalid: "red",
};

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
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

function linkText(link: LinkView): string {
  if (link.state === "no-key") return "no link key";
  if (link.state === "idle") return "link key set; session not running";
  const parts = [
    link.bridges.length === 0 ? "no bridge attached" : `${plural(link.bridges.length, "bridge")} attached`,
    `outbox ${link.outbox} of ${link.outboxLimit}`,
    `refused frames ${total(link.refused)}${total(link.refused) > 0 ? ` (${breakdown(link.refused) ?? ""})` : ""}`,
  ];
  if (link.droppedWhileAway > 0) parts.push(`dropped while no bridge listened ${link.droppedWhileAway}`);
  return parts.join(" · ");
}

/** How each origin is shown: its icon, and what the tooltip says after the pattern. */
export const ORIGINS: Record<PatternOrigin, { icon: string; says: string }> = {
  owner: { icon: "fa fa-thumb-tack", says: "pinned by the flow's owner" },
  inbox: { icon: "fa fa-inbox", says: "the session's own inbox" },
  claude: { icon: "fa fa-comment-o", says: "added by Claude" },
};

/** Pattern chips; a pattern too long for the sidebar is cut short, and its tooltip holds all of it. */
function patterns(entries: ListEntry[]): JQuery {
  const out = $('<div class="claude-sidebar-patterns">');
  if (entries.length === 0) $('<span class="claude-sidebar-detail">').text("none").appendTo(out);
  for (const entry of entries) {
    const shown = ORIGINS[entry.origin];
    const chip = $('<span class="claude-sidebar-pattern">')
      .addClass(`claude-sidebar-${entry.origin}`)
      .attr({ "data-origin": entry.origin, title: `${entry.pattern}\n${shown.says}` })
      .appendTo(out);
    $("<i>").addClass(shown.icon).appendTo(chip);
    $("<code>").text(entry.pattern).appendTo(chip);
  }
  return out;
}

function recentList(recent: RecentAdmitted[]): JQuery {
  const out = $('<ol class="claude-sidebar-recent">');
  for (const event of [...recent].reverse()) {
    const item = $("<li>").appendTo(out);
    const head = $('<div class="claude-sidebar-recent-head">').appendTo(item);
    $('<span class="claude-sidebar-detail">').text(time(event.at)).appendTo(head);
    $("<code>").text(event.topic).appendTo(head);
    if (event.sender !== undefined) $('<span class="claude-sidebar-detail">').text(`from ${event.sender} (claimed)`).appendTo(head);
    $('<div class="claude-sidebar-preview">')
      .text(event.preview + (event.truncated ? " …" : ""))
      .appendTo(item);
  }
  return out;
}

/** Claude Code wrote these texts from what the model asked, which may come from untrusted messages: text only. */
function permissionList(permissions: SessionSnapshot["permissions"]): JQuery {
  const out = $('<div class="claude-sidebar-permissions">');
  const { waiting, allowed, denied, expired } = permissions;
  $('<div class="claude-sidebar-subhead">')
    .text(`Permission requests waiting (${waiting.length}) · allowed ${allowed}, denied ${denied}, expired ${expired}`)
    .appendTo(out);
  const list = $('<ol class="claude-sidebar-recent">').appendTo(out);
  for (const request of waiting) {
    const item = $("<li>").attr("data-request-id", request.request_id).appendTo(list);
    const head = $('<div class="claude-sidebar-recent-head">').appendTo(item);
    $("<code>").text(request.tool_name).appendTo(head);
    $('<span class="claude-sidebar-detail">').text(`${request.request_id}, until ${time(request.expires)}`).appendTo(head);
    $('<div class="claude-sidebar-preview">').text(request.description).appendTo(item);
    $('<div class="claude-sidebar-preview">').text(request.input_preview).appendTo(item);
  }
  return out;
}

export function renderSession(snapshot: SessionSnapshot, edit: () => void): JQuery {
  const panel = $('<div class="claude-sidebar-session">').attr("data-session-id", snapshot.id);
  const head = $('<div class="claude-sidebar-head">').appendTo(panel);
  $('<span class="claude-sidebar-dot">').addClass(`claude-sidebar-${STATE_COLOUR[snapshot.connection.state]}`).appendTo(head);
  $('<a href="#" class="claude-sidebar-name">')
    .text(snapshot.name || snapshot.id)
    .attr("title", `${snapshot.name || snapshot.id}: edit this claude-session node`)
    .on("click", (e) => {
      e.preventDefault();
      edit();
    })
    .appendTo(head);
  $('<span class="claude-sidebar-state">').attr("data-state", snapshot.connection.state).text(snapshot.connection.state).appendTo(head);

  const table = $('<table class="red-ui-info-table claude-sidebar-table">').appendTo(panel);
  if (snapshot.connection.detail) row(table, "Detail", snapshot.connection.detail);
  row(table, "Flow link", linkText(snapshot.link), "link");
  const { counts, buffer } = snapshot;
  row(table, "Admitted", count("admitted", counts.admitted, counts.replies > 0 ? `and ${plural(counts.replies, "reply", "replies")}` : undefined));
  row(table, "Watched", count("watched", counts.watched));
  row(
    table,
    "Buffer",
    count("buffer", buffer.messages, `${plural(buffer.topics, "topic")}, ${bytes(buffer.bytes)} of ${bytes(buffer.maxBytes)}; keeps ${buffer.maxAge} s, ${buffer.maxPerTopic} per topic`),
  );
  row(table, "Dropped", count("dropped", total(counts.dropped), breakdown(counts.dropped)));
  row(table, "Evicted", count("evicted", total({ ...counts.evicted }), breakdown({ ...counts.evicted })));
  for (const [list, label] of LISTS) row(table, label, patterns(snapshot.lists[list]), list);

  for (const problem of snapshot.problems) $('<div class="claude-sidebar-problem">').text(problem).appendTo(panel);

  if (snapshot.permissions.approvers > 0 || snapshot.permissions.waiting.length > 0) permissionList(snapshot.permissions).appendTo(panel);

  $('<div class="claude-sidebar-subhead">').text(`Last admitted (${snapshot.recent.length})`).appendTo(panel);
  if (snapshot.recent.length === 0) $('<div class="claude-sidebar-detail">').text("nothing admitted yet").appendTo(panel);
  else recentList(snapshot.recent).appendTo(panel);
  return panel;
}
