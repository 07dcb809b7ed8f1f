/**
 * Claude's changes to its own lists and settings (admit / watch / mute, buffer limits,
 * pacing): each is kept in step with the broker subscriptions and the buffer, and saved to
 * the session file. A file that must not be written (see own-config.ts) refuses every change.
 */
import type { WatchedBuffer } from "../core/buffer.js";
import type { ListName } from "../core/gate.js";
import { MAX_PATTERNS_PER_LIST } from "../core/limits.js";
import type { SessionConfig } from "../core/session-file.js";
import { SessionError } from "./errors.js";
import type { EvictionReporter } from "./eviction-report.js";
import type { SessionLists } from "./lists.js";
import { saveOwnConfig } from "./own-config.js";
import { pacingChoice, PacingError, type AdmittedPacing, type PacingChoice } from "./pacing.js";
import type { Subscriber } from "./subscriber.js";
import { SubscriptionRefused } from "./subscription-guard.js";
import type { SubscriptionReason } from "./subscriptions.js";
import type { SessionStore } from "./types.js";

export interface ListChangesParts {
  lists: SessionLists;
  store: SessionStore | undefined;
  /** Why the session file must not be written, when it must not. */
  readOnly: string | undefined;
  subscriber: Subscriber;
  buffer: WatchedBuffer;
  evictions: EvictionReporter;
  pacing: AdmittedPacing;
  /** The lists changed (hosts show them). */
  changed(): void;
  problem(message: string): void;
}

export type ConfigChanges = { bufferMaxAge?: number; bufferMaxPerTopic?: number } & PacingChoice;

export class ListChanges {
  constructor(private readonly parts: ListChangesParts) {}

  /**
   * Adds a pattern to Claude's list. Returns false when already in force. A filter the
   * broker refuses is taken out again and never persisted.
   */
  async add(list: ListName, pattern: string): Promise<boolean> {
    const { lists } = this.parts;
    this.assertWritable();
    if (lists.own[list].length >= MAX_PATTERNS_PER_LIST && !lists.has(list, pattern)) {
      throw new SessionError(`the ${list} list holds its maximum of ${MAX_PATTERNS_PER_LIST} patterns; remove some, or use one wider pattern (e.g. a/#)`);
    }
    if (!lists.add(list, pattern)) return false;
    let failure: unknown;
    if (list !== "muted") {
      try {
        await this.parts.subscriber.need(pattern, list);
      } catch (err) {
        if (err instanceof SubscriptionRefused) {
          lists.remove(list, pattern);
          throw new SessionError(`${err.message}; "${pattern}" was not added to the ${list} list`);
        }
        // Not answered (a timeout, a lost connection): kept, and subscribed on the next connect.
        failure = err;
      }
    }
    this.persist();
    this.parts.changed();
    if (failure) throw failure;
    return true;
  }

  /** Removes a pattern from Claude's list. Returns false when Claude's list did not have it. */
  async remove(list: ListName, pattern: string): Promise<boolean> {
    const { lists } = this.parts;
    if (lists.own[list].includes(pattern)) this.assertWritable();
    if (!lists.remove(list, pattern)) return false;
    this.persist();
    this.parts.changed();
    if (list === "watched") {
      const watched = lists.gate.index("watched");
      this.parts.buffer.removeUnwatched(pattern, (topic) => watched.match(topic) !== undefined);
    }
    if (list !== "muted") await this.parts.subscriber.release(pattern, list);
    return true;
  }

  /** Which list (other than `except`) still takes messages a pattern named, if any. */
  stillCovered(pattern: string, except: ListName): ListName | undefined {
    const { lists } = this.parts;
    for (const list of ["admitted", "watched"] as const) {
      if (list === except) continue;
      if (lists.has(list, pattern) || lists.gate.index(list).match(pattern, pattern) !== undefined) return list;
    }
    return undefined;
  }

  config(changes: ConfigChanges): SessionConfig {
    const own = this.parts.lists.own;
    const changing = Object.values(changes).some((value) => value !== undefined);
    if (changing) this.assertWritable();
    if (changes.coalesceInterval !== undefined || changes.notifyPerMinute !== undefined) {
      const choice = { ...pacingChoice(own), ...pacingChoice(changes) };
      try {
        this.parts.pacing.choose(choice);
      } catch (err) {
        throw err instanceof PacingError ? new SessionError(err.message) : err;
      }
      Object.assign(own, choice);
    }
    if (changes.bufferMaxAge !== undefined) own.bufferMaxAge = changes.bufferMaxAge;
    if (changes.bufferMaxPerTopic !== undefined) own.bufferMaxPerTopic = changes.bufferMaxPerTopic;
    this.parts.evictions.add(this.parts.buffer.setLimits({ maxAgeSeconds: own.bufferMaxAge, maxPerTopic: own.bufferMaxPerTopic }, Date.now()));
    if (changing) this.persist();
    return own;
  }

  /**
   * A filter the broker will not take (from the session file, the flow's pinned lists or
   * an earlier run): the session goes on without it rather than lose its connection over
   * it on every reconnect.
   */
  refused(refusal: SubscriptionRefused, reasons: SubscriptionReason[]): void {
    const { lists } = this.parts;
    const inLists = reasons.filter((r): r is "admitted" | "watched" => r === "admitted" || r === "watched");
    for (const list of inLists) {
      if (!lists.isPinned(list, refusal.filter)) lists.remove(list, refusal.filter);
    }
    if (inLists.length > 0) this.parts.changed();
    const from = reasons.length > 0 ? ` (needed by: ${reasons.join(", ")})` : "";
    this.parts.problem(`${refusal.message}${from}; the session goes on without it${inLists.length > 0 ? " (the session file keeps it until the lists next change)" : ""}`);
  }

  /** Refuses a change the session file could not keep without losing what it holds. */
  private assertWritable(): void {
    const { readOnly } = this.parts;
    if (readOnly) {
      throw new SessionError(`${readOnly}; to keep what it holds, the lists cannot change until the file is fixed and the session restarted`);
    }
  }

  private persist(): void {
    const { store } = this.parts;
    if (!store) return;
    try {
      saveOwnConfig(store, this.parts.lists.own);
    } catch (err) {
      this.parts.problem(`could not save ${store.location}: ${(err as Error).message}`);
      throw new SessionError(`the change is in force but could not be saved to ${store.location}: ${(err as Error).message}`);
    }
  }
}
