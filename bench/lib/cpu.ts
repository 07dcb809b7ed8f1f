/** CPU time a process has used so far (user + system), from the kernel, in microseconds. */
import { readFileSync } from "node:fs";

/** Linux reports utime and stime in clock ticks, 100 a second on every common kernel configuration. */
const TICKS_PER_SECOND = 100;

export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces; the fields after it are space-separated.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) / TICKS_PER_SECOND) * 1e6;
}
