/**
 * Bridge logging: stderr only, because stdout carries the MCP JSON-RPC stream.
 * Every line is prefixed as the reference does: `[mqtt-channel] ` before the
 * session name is known, `[mqtt-channel:<session>] ` after.
 */

import type { LogLevel } from "../session/types.js";

export type { LogLevel };
export type Logger = (level: LogLevel, message: string) => void;

const LABEL: Record<LogLevel, string> = { info: "", warn: "WARNING: ", error: "ERROR: " };

export function logPrefix(session?: string): string {
  return session === undefined ? "[mqtt-channel]" : `[mqtt-channel:${session}]`;
}

/** A logger writing `<prefix> <LEVEL: >message` lines; a multi-line message gets the prefix on every line. */
export function lineLogger(prefix: string, write: (text: string) => void): Logger {
  return (level, message) => {
    const lines = message.split("\n").map((line) => `${prefix} ${LABEL[level]}${line}\n`);
    write(lines.join(""));
  };
}

export function stderrLogger(session?: string): Logger {
  return lineLogger(logPrefix(session), (text) => {
    process.stderr.write(text);
  });
}

/**
 * Collapses runs of the same line (a broker that is down reports the same error
 * every second) into the first line plus a count when the run ends.
 */
export function collapseRepeats(log: Logger): Logger {
  let last: { level: LogLevel; message: string } | undefined;
  let repeats = 0;
  return (level, message) => {
    if (last && last.level === level && last.message === message) {
      repeats++;
      return;
    }
    if (last && repeats > 0) log(last.level, `(the previous message was repeated ${repeats} more time${repeats === 1 ? "" : "s"})`);
    last = { level, message };
    repeats = 0;
    log(level, message);
  };
}
