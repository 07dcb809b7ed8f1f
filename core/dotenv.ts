/**
 * The `.env` format of the state directory, read exactly as claude-code-mqtt reads it.
 *
 * Rules:
 * - The text is split on `\n`; each line is trimmed (which also drops `\r` and a leading BOM).
 * - Empty lines and lines starting with `#` are skipped.
 * - The first `=` splits key and value; a line without `=`, or starting with `=`, is skipped.
 * - The key (trimmed) must be word characters only (`[A-Za-z0-9_]`), so `export FOO=1` and
 *   `FOO-BAR=1` are skipped.
 * - The value is trimmed; if it starts and ends with `"`, or starts and ends with `'`, one
 *   character is removed from each end. Nothing else: no escapes, no inline comments
 *   (`FOO=bar # c` is `bar # c`), no expansion, no multi-line values.
 * - A key is applied only when the environment does not already define it (real env wins);
 *   within the file, the first occurrence of a key wins.
 */

export interface EnvEntry {
  key: string;
  value: string;
  /** 1-based line number in the file. */
  line: number;
}

const KEY = /^\w+$/;

/** The key and value a `.env` line sets, or `undefined` when the line is skipped. */
export function parseEnvLine(line: string): { key: string; value: string } | undefined {
  const trimmed = line.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return undefined;
  const eq = trimmed.indexOf("=");
  if (eq <= 0) return undefined;
  const key = trimmed.slice(0, eq).trim();
  if (!KEY.test(key)) return undefined;
  let value = trimmed.slice(eq + 1).trim();
  // `FOO="` counts as quoted on both ends and becomes empty, as in the reference.
  if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
    value = value.slice(1, -1);
  }
  return { key, value };
}

/** Every entry of a `.env` file, in file order (duplicates included). */
export function parseEnvFile(text: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  text.split("\n").forEach((line, index) => {
    const parsed = parseEnvLine(line);
    if (parsed) entries.push({ ...parsed, line: index + 1 });
  });
  return entries;
}

function isDefined(env: Record<string, string | undefined>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(env, key) && env[key] !== undefined;
}

/**
 * Applies entries to env where the key is not already defined (real env wins).
 * Returns the keys applied and those skipped because the real env had them.
 * A key repeated in the file is applied once, from its first line, and listed once.
 */
export function applyEnvEntries(
  env: Record<string, string | undefined>,
  entries: readonly EnvEntry[],
): { applied: string[]; shadowed: string[] } {
  const applied: string[] = [];
  const shadowed: string[] = [];
  const seen = new Set<string>();
  for (const { key, value } of entries) {
    if (seen.has(key)) continue;
    seen.add(key);
    if (isDefined(env, key)) {
      shadowed.push(key);
      continue;
    }
    // defineProperty so that a key such as `__proto__` becomes a variable, not a prototype.
    Object.defineProperty(env, key, { value, enumerable: true, writable: true, configurable: true });
    applied.push(key);
  }
  return { applied, shadowed };
}
