/**
 * Node status shapes shared by the claude nodes: connection state as Node-RED's MQTT
 * nodes show it (yellow ring connecting, green dot connected, red ring disconnected),
 * and a red dot for a problem.
 */
import type { NodeAPI, NodeStatus } from "node-red";
import type { ConnectionState } from "../../session/types.js";
import type { SessionView } from "./types.js";

const STATUS_TEXT_MAX = 60;

/** Status text stays on one short line under the node; the full text goes to the log. */
export function shortText(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= STATUS_TEXT_MAX ? line : `${line.slice(0, STATUS_TEXT_MAX - 1)}…`;
}

export function problemStatus(problem: string): NodeStatus {
  return { fill: "red", shape: "dot", text: shortText(problem) };
}

export function doneStatus(text: string): NodeStatus {
  return { fill: "green", shape: "dot", text: shortText(text) };
}

/** The connection as the core MQTT nodes show it (their i18n keys, so the editor translates them). */
export function viewStatus(view: SessionView): NodeStatus {
  switch (view.state) {
    case "invalid":
      return problemStatus(view.problem);
    case "connected":
      return { fill: "green", shape: "dot", text: "node-red:common.status.connected" };
    case "connecting":
    case "reconnecting":
      return { fill: "yellow", shape: "ring", text: "node-red:common.status.connecting" };
    case "disconnected":
    case "stopped":
      return { fill: "red", shape: "ring", text: "node-red:common.status.disconnected" };
  }
}

/** The state in words, with the core MQTT nodes' messages; none when connected. */
const STATE_WORDS: Record<ConnectionState, string | undefined> = {
  connected: undefined,
  connecting: "node-red:common.status.connecting",
  reconnecting: "node-red:common.status.connecting",
  disconnected: "node-red:common.status.disconnected",
  stopped: "node-red:common.status.disconnected",
};

/** The same colour and shape as `viewStatus`, showing `text` (plus the state in words, looked up with `_`, unless connected). */
export function viewStatusWith(view: SessionView, text: string, _: NodeAPI["_"]): NodeStatus {
  if (view.state === "invalid") return viewStatus(view);
  const words = STATE_WORDS[view.state];
  return { ...viewStatus(view), text: shortText(words === undefined ? text : `${text} (${_(words)})`) };
}
