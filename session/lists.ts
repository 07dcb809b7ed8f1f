/**
 * The gate lists of a session: the owner's pinned lists (from the flow editor) plus
 * Claude's own (persisted in the session file). The gate always sees their union.
 * Claude can add to its own lists and remove from them, never from the pinned ones.
 * Patterns that are not valid MQTT filters (e.g. `home#` in an old session file)
 * stay in the file but take no part in gating; they are reported as problems.
 */
import { Gate, type GateLists, type ListName } from "../core/gate.js";
import { validatePattern } from "../core/topics.js";
import { type SessionConfig } from "../core/session-file.js";

export class PinnedPatternError extends Error {}

export interface InvalidPattern {
  list: ListName;
  pattern: string;
  reason: string;
}

export const LIST_NAMES: readonly ListName[] = ["admitted", "watched", "muted"];

function emptyLists(): GateLists {
  return { admitted: [], watched: [], muted: [] };
}

export class SessionLists {
  readonly gate: Gate;
  readonly pinned: GateLists;
  readonly invalid: InvalidPattern[] = [];

  constructor(
    readonly own: SessionConfig,
    pinned: Partial<GateLists> | undefined,
    ownName: string,
  ) {
    this.pinned = { ...emptyLists(), ...pinned };
    this.gate = new Gate(emptyLists(), ownName);
    for (const list of LIST_NAMES) {
      for (const pattern of [...this.pinned[list], ...own[list]]) {
        const reason = validatePattern(pattern);
        if (reason) this.invalid.push({ list, pattern, reason });
        else this.gate.add(list, pattern);
      }
    }
  }

  isPinned(list: ListName, pattern: string): boolean {
    return this.pinned[list].includes(pattern);
  }

  /** Adds to Claude's list. Returns false when the pattern was already in force. */
  add(list: ListName, pattern: string): boolean {
    const reason = validatePattern(pattern);
    if (reason) throw new RangeError(`Invalid pattern: ${reason}`);
    if (this.own[list].includes(pattern) || this.isPinned(list, pattern)) return false;
    this.own[list].push(pattern);
    this.gate.add(list, pattern);
    return true;
  }

  /** Removes from Claude's list. Returns false when Claude's list did not have it. */
  remove(list: ListName, pattern: string): boolean {
    if (this.isPinned(list, pattern)) {
      throw new PinnedPatternError(
        `"${pattern}" is pinned in the ${list} list by the flow's owner (set in the claude-session node); it can only be changed in the Node-RED editor.`,
      );
    }
    const at = this.own[list].indexOf(pattern);
    if (at < 0) return false;
    this.own[list].splice(at, 1);
    this.gate.delete(list, pattern);
    const invalidAt = this.invalid.findIndex((i) => i.list === list && i.pattern === pattern);
    if (invalidAt >= 0) this.invalid.splice(invalidAt, 1);
    return true;
  }

  has(list: ListName, pattern: string): boolean {
    return this.gate.has(list, pattern);
  }

  effective(): GateLists & { admitted: string[]; watched: string[]; muted: string[] } {
    return this.gate.snapshot();
  }
}
