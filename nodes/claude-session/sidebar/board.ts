/**
 * The sidebar's runtime side: every claude-session node's monitor, the admin route
 * that lists their snapshots (behind Node-RED's own auth), and the comms topic each
 * node's updates go out on.
 */
import type { NodeAPI } from "node-red";
import { SessionMonitor, type MonitorOptions } from "./monitor.js";
import { READ_PERMISSION, SESSIONS_PATH, TOPIC_PREFIX, type SessionSnapshot, type SessionUpdate } from "./wire.js";

export class SessionBoard {
  private readonly monitors = new Map<string, SessionMonitor>();

  constructor(private readonly publish: (topic: string, update: SessionUpdate) => void) {}

  /** Starts watching a node; its snapshots go out on its comms topic. */
  add(options: Omit<MonitorOptions, "publish">): SessionMonitor {
    this.monitors.get(options.id)?.dispose();
    const monitor = new SessionMonitor({ ...options, publish: (snapshot) => this.publish(TOPIC_PREFIX + options.id, { id: options.id, snapshot }) });
    this.monitors.set(options.id, monitor);
    return monitor;
  }

  /** Stops watching a closing node; a removed node also leaves the editor's sidebar. */
  remove(monitor: SessionMonitor, removed: boolean): void {
    monitor.dispose();
    if (this.monitors.get(monitor.id) === monitor) this.monitors.delete(monitor.id);
    if (removed) this.publish(TOPIC_PREFIX + monitor.id, { id: monitor.id, removed: true });
  }

  snapshots(): SessionSnapshot[] {
    return [...this.monitors.values()].map((m) => m.snapshot()).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }
}

/** One board per runtime, with its route on the editor's admin API. */
export function startBoard(RED: NodeAPI): SessionBoard {
  const board = new SessionBoard((topic, update) => RED.comms.publish(topic, update, false));
  RED.httpAdmin.get(`/${SESSIONS_PATH}`, RED.auth.needsPermission(READ_PERMISSION), (_req, res) => {
    res.json(board.snapshots());
  });
  return board;
}
