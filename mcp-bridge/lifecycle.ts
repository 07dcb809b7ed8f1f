/**
 * The bridge dies with its parent. Claude Code ends a channel by closing the pipe
 * (stdin end/close) or by a signal; either way the session must publish its
 * offline status and the process must exit, once, within a deadline, or a leftover
 * process keeps the broker connection (and the session name) busy.
 */
import type { Logger } from "./log.js";

export const SHUTDOWN_DEADLINE_MS = 3000;
const WATCHDOG_INTERVAL_MS = 5000;

export interface ShutdownDeps {
  /** Publishes the offline status and closes everything. */
  stop(): Promise<void>;
  exit(code: number): void;
  log: Logger;
  deadlineMs?: number;
}

/** One idempotent, deadline-bound shutdown: later calls return the first call's promise. */
export function shutdownOnce(deps: ShutdownDeps): (reason: string) => Promise<void> {
  let running: Promise<void> | undefined;
  return (reason) => {
    running ??= (async () => {
      deps.log("info", `shutting down (${reason})`);
      const deadline = setTimeout(() => {
        deps.log("warn", "shutdown did not finish in time; exiting anyway");
        deps.exit(0);
      }, deps.deadlineMs ?? SHUTDOWN_DEADLINE_MS);
      try {
        await deps.stop();
      } catch (err) {
        deps.log("error", `shutdown: ${(err as Error).message}`);
      } finally {
        clearTimeout(deadline);
      }
      deps.exit(0);
    })();
    return running;
  };
}

/**
 * Calls `shutdown` when stdin ends or closes, on SIGTERM, SIGINT and SIGHUP, when stdout
 * breaks, and, as a backstop for a pipe that vanished without an event, when a 5 s
 * watchdog finds stdin gone.
 */
export function shutdownWithParent(shutdown: (reason: string) => Promise<void>, log: Logger): void {
  const stdin = process.stdin;
  const run = (reason: string) => (): void => void shutdown(reason);
  stdin.on("end", run("stdin ended"));
  stdin.on("close", run("stdin closed"));
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, run(signal));
  process.stdout.on("error", (err) => {
    log("error", `stdout: ${err.message}`);
    void shutdown("stdout failed");
  });
  const watchdog = setInterval(() => {
    if (stdin.destroyed || stdin.readableEnded) void shutdown("stdin gone");
  }, WATCHDOG_INTERVAL_MS);
  watchdog.unref();
}
