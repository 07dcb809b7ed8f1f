/**
 * The editor's "Claude" sidebar tab: one panel per claude-session node, filled from the
 * admin route when the tab is added or shown, then kept current by the runtime's comms
 * updates. Its words are claude-session's messages, looked up with the node type's own `_`.
 * Everything a message carried (topic, sender, content) is untrusted and is only ever
 * inserted as text.
 */
import type { EditorRED } from "node-red";
import { ORIGINS, renderSession, type Translate } from "./render.editor.js";
import { SESSIONS_PATH, TOPIC_PREFIX, type SessionSnapshot, type SessionUpdate } from "./wire.js";

declare const RED: EditorRED;

const TAB_ID = "claude-channel";
const ACTION = "claude-channel:show-sidebar";
const TOPIC = `${TOPIC_PREFIX}+`;

function isSnapshot(value: unknown): value is SessionSnapshot {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<SessionSnapshot>;
  return typeof v.id === "string" && typeof v.name === "string" && typeof v.connection === "object" && typeof v.lists === "object";
}

function isUpdate(value: unknown): value is SessionUpdate {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { id?: unknown; removed?: unknown; snapshot?: unknown };
  return typeof v.id === "string" && (v.removed === true || isSnapshot(v.snapshot));
}

class ClaudeSidebar {
  private readonly sessions = new Map<string, SessionSnapshot>();
  private readonly content = $('<div class="claude-sidebar"></div>');
  private readonly list = $('<div class="claude-sidebar-sessions"></div>');
  private readonly notice = $('<div class="claude-sidebar-notice"></div>');
  private readonly onUpdate = (_topic: string, data: unknown): void => {
    if (!isUpdate(data)) return;
    if ("removed" in data) this.sessions.delete(data.id);
    else this.sessions.set(data.id, data.snapshot);
    this.render();
  };

  constructor(private readonly t: Translate) {
    this.content.append(this.notice, this.list);
  }

  add(): void {
    const { t } = this;
    const toolbar = $('<div class="red-ui-sidebar-header"></div>');
    $('<button type="button" class="red-ui-sidebar-header-button"><i class="fa fa-refresh"></i></button>')
      .attr("title", t("claude-session.sidebar.refresh"))
      .on("click", () => this.refresh())
      .appendTo(toolbar);
    const legend = $('<span class="claude-sidebar-legend"></span>').prependTo(toolbar);
    for (const { icon, says } of Object.values(ORIGINS)) {
      $('<span class="claude-sidebar-legend-item">').append($("<i>").addClass(icon), document.createTextNode(` ${t(says)}`)).appendTo(legend);
    }
    this.content.prepend(toolbar);
    // `pinned` keeps its button in the sidebar's header, beside debug's; `onchange` runs when the tab is shown.
    const options: Parameters<EditorRED["sidebar"]["addTab"]>[0] & { pinned: boolean; onchange: () => void } = {
      id: TAB_ID,
      label: t("claude-session.sidebar.tab"),
      name: t("claude-session.sidebar.tab"),
      iconClass: "fa fa-comments",
      content: this.content[0]!,
      enableOnEdit: true,
      pinned: true,
      action: ACTION,
      onchange: () => this.refresh(),
    };
    RED.sidebar.addTab(options);
    RED.actions.add(ACTION, () => RED.sidebar.show(TAB_ID));
    RED.comms.subscribe(TOPIC, this.onUpdate);
    this.refresh();
  }

  remove(): void {
    RED.comms.unsubscribe(TOPIC, this.onUpdate);
    RED.actions.remove(ACTION);
    RED.sidebar.removeTab(TAB_ID);
  }

  private refresh(): void {
    $.getJSON(SESSIONS_PATH)
      .done((data: unknown) => {
        if (!Array.isArray(data)) return this.showNotice(this.t("claude-session.sidebar.unexpected"));
        this.sessions.clear();
        for (const snapshot of data) if (isSnapshot(snapshot)) this.sessions.set(snapshot.id, snapshot);
        this.render();
      })
      .fail((xhr) => this.showNotice(this.t("claude-session.sidebar.readFailed", { status: xhr.status })));
  }

  private showNotice(text: string): void {
    this.notice.text(text).show();
  }

  private render(): void {
    const sorted = [...this.sessions.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    if (sorted.length === 0) this.showNotice(this.t("claude-session.sidebar.noSessions"));
    else this.notice.hide();
    this.list.empty().append(sorted.map((snapshot) => renderSession(this.t, snapshot, () => RED.editor.editConfig("", "claude-session", snapshot.id, ""))));
  }
}

let sidebar: ClaudeSidebar | undefined;
// claude-session's editor definition calls these from onpaletteadd (with its `_`) / onpaletteremove.
(window as Window & { ClaudeChannelSidebar?: { add(t: Translate): void; remove(): void } }).ClaudeChannelSidebar = {
  add: (t) => {
    if (sidebar) return;
    sidebar = new ClaudeSidebar(t);
    sidebar.add();
  },
  remove: () => {
    sidebar?.remove();
    sidebar = undefined;
  },
};
