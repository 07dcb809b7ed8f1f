/**
 * A session file on disk: `<dir>/<name>.json`, written atomically (temp file in the
 * same directory, mode 0600, then rename) so a crash never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { SessionStore, StoreLoad } from "./types.js";

export class FileSessionStore implements SessionStore {
  constructor(readonly location: string) {}

  static forSession(dir: string, name: string): FileSessionStore {
    return new FileSessionStore(join(dir, `${name}.json`));
  }

  load(): StoreLoad {
    try {
      return { kind: "loaded", text: readFileSync(this.location, "utf8") };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
      return { kind: "unreadable", error: (err as Error).message };
    }
  }

  /** A save that fails (a full disk, a directory in the file's place) leaves no temp file behind. */
  save(text: string): void {
    mkdirSync(dirname(this.location), { recursive: true, mode: 0o700 });
    const temp = `${this.location}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, text, { mode: 0o600 });
      renameSync(temp, this.location);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
  }

  /** Moves a file that could not be parsed out of the way, so it is kept but never overwritten. */
  moveAside(now: Date): string {
    const aside = `${this.location}.corrupt-${now.toISOString().replace(/[:.]/g, "-")}`;
    renameSync(this.location, aside);
    return aside;
  }
}

export function isMovable(store: SessionStore): store is SessionStore & { moveAside(now: Date): string } {
  return typeof (store as { moveAside?: unknown }).moveAside === "function";
}
