/**
 * Claude's own lists and buffer limits, read from and written to the session store.
 * A file that cannot be parsed is moved aside (kept, never overwritten) and reported;
 * the session then starts from the defaults.
 */
import { defaultSessionConfig, parseSessionFile, serializeSessionConfig, SessionFileError, type SessionConfig } from "../core/session-file.js";
import { isMovable } from "./store.js";
import type { SessionStore } from "./types.js";

export function loadOwnConfig(store: SessionStore | undefined, inboxTopic: string, report: (problem: string) => void): SessionConfig {
  const defaults = defaultSessionConfig(inboxTopic);
  if (!store) return defaults;
  const loaded = store.load();
  if (loaded.kind === "missing") return defaults;
  if (loaded.kind === "unreadable") {
    report(`session file ${store.location} could not be read (${loaded.error}); lists start from defaults and the file is left as it is`);
    return defaults;
  }
  try {
    return parseSessionFile(loaded.text, inboxTopic);
  } catch (err) {
    const detail = err instanceof SessionFileError ? err.problems.join("; ") : (err as Error).message;
    let kept = "";
    if (isMovable(store)) {
      try {
        kept = `; the file was moved aside to ${store.moveAside(new Date())}`;
      } catch (moveErr) {
        kept = `; moving it aside failed (${(moveErr as Error).message})`;
      }
    }
    report(`session file ${store.location} is corrupt (${detail})${kept}; lists start from defaults`);
    return defaults;
  }
}

export function saveOwnConfig(store: SessionStore, config: SessionConfig): void {
  store.save(serializeSessionConfig(config));
}
