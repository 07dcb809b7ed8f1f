/**
 * Claude's own lists and buffer limits, read from and written to the session store.
 *
 * - A file that cannot be parsed is moved aside (kept, never overwritten) and reported;
 *   the session then starts from the defaults.
 * - A file that cannot be read (permissions, a directory in its place), or cannot be
 *   moved aside, or holds more than MAX_PATTERNS_PER_LIST patterns in a list, is left as
 *   it is and never written: the session runs on what it could load, and changes to the
 *   lists are refused, naming the file, until it is fixed and the session restarted.
 */
import { MAX_PATTERNS_PER_LIST } from "../core/limits.js";
import { defaultSessionConfig, parseSessionFile, serializeSessionConfig, SessionFileError, type SessionConfig } from "../core/session-file.js";
import { isMovable } from "./store.js";
import type { SessionStore } from "./types.js";

export interface OwnConfig {
  config: SessionConfig;
  /** Why the file must not be written, when it must not. */
  readOnly?: string;
}

export function loadOwnConfig(store: SessionStore | undefined, inboxTopic: string, report: (problem: string) => void): OwnConfig {
  const defaults = defaultSessionConfig(inboxTopic);
  if (!store) return { config: defaults };
  const loaded = store.load();
  if (loaded.kind === "missing") return { config: defaults };
  if (loaded.kind === "unreadable") {
    const problem = `session file ${store.location} could not be read (${loaded.error})`;
    report(`${problem}; lists start from defaults and the file is left as it is (changes to the lists are refused until it is fixed)`);
    return { config: defaults, readOnly: problem };
  }
  let config: SessionConfig;
  try {
    config = parseSessionFile(loaded.text, inboxTopic);
  } catch (err) {
    const detail = err instanceof SessionFileError ? err.problems.join("; ") : (err as Error).message;
    if (!isMovable(store)) {
      report(`session file ${store.location} is corrupt (${detail}); lists start from defaults`);
      return { config: defaults };
    }
    try {
      const aside = store.moveAside(new Date());
      report(`session file ${store.location} is corrupt (${detail}); the file was moved aside to ${aside}; lists start from defaults`);
      return { config: defaults };
    } catch (moveErr) {
      const problem = `session file ${store.location} is corrupt (${detail}) and could not be moved aside (${(moveErr as Error).message})`;
      report(`${problem}; lists start from defaults and the file is left as it is (changes to the lists are refused until it is fixed)`);
      return { config: defaults, readOnly: problem };
    }
  }
  const over = (["admitted", "watched", "muted"] as const).filter((list) => config[list].length > MAX_PATTERNS_PER_LIST);
  if (over.length === 0) return { config };
  const counts = over.map((list) => `${list} holds ${config[list].length}`).join(", ");
  for (const list of over) config[list] = config[list].slice(0, MAX_PATTERNS_PER_LIST);
  const problem = `session file ${store.location} has more than ${MAX_PATTERNS_PER_LIST} patterns in a list (${counts})`;
  report(`${problem}; the first ${MAX_PATTERNS_PER_LIST} of each are in force, the rest are not, and the file is left as it is (changes to the lists are refused until it is within the maximum)`);
  return { config, readOnly: problem };
}

export function saveOwnConfig(store: SessionStore, config: SessionConfig): void {
  store.save(serializeSessionConfig(config));
}
