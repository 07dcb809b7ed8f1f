/**
 * Session names.
 *
 * A session name is one topic level (`<prefix>/sessions/<name>/…`), a file name
 * (`sessions/<name>.json`) and the envelope `sender`, so it is limited to `[A-Za-z0-9_-]`.
 *
 * - `SESSION_NAME` from the environment is sanitised as the reference does: every other
 *   character is removed, and the caller reports the change.
 * - Names that must not be changed behind the user's back (request targets, node config)
 *   are validated instead: a bad name is an error, never a different session.
 * - At most 200 characters, so that `<name>.json` stays within the 255-byte file-name limit
 *   of common file systems with room to spare for temporary files.
 */

export const MAX_SESSION_NAME_LENGTH = 200;

const OUTSIDE = /[^A-Za-z0-9_-]/g;

/** Removes every character outside [A-Za-z0-9_-]. */
export function sanitizeSessionName(raw: string): { name: string; changed: boolean } {
  const name = raw.replace(OUTSIDE, "");
  return { name, changed: name !== raw };
}

/** For names that must not be silently changed (request targets, node config): why it is invalid, or undefined. */
export function validateSessionName(name: string): string | undefined {
  if (name.length === 0) return 'session name is empty; use letters, digits, "_" or "-"';
  const bad = [...new Set(name.match(OUTSIDE) ?? [])];
  if (bad.length > 0) {
    const shown = bad.map((c) => JSON.stringify(c)).join(", ");
    return `session name ${JSON.stringify(name)} contains ${shown}; only letters, digits, "_" and "-" are allowed`;
  }
  if (name.length > MAX_SESSION_NAME_LENGTH) {
    return `session name is ${name.length} characters long; at most ${MAX_SESSION_NAME_LENGTH} are allowed`;
  }
  return undefined;
}
