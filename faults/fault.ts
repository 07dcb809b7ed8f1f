/**
 * A fault scenario: done to the real parts (Mosquitto, the built bridge, Node-RED), measured,
 * and checked against targets. `quick` is the short run inside `npm test`; the full run is
 * `npm run faults`. A timing target is only reported by the tests, never asserted there.
 */
export type FaultSize = "quick" | "full";

export interface FaultTarget {
  what: string;
  met: boolean;
  /** Depends on the machine's speed: reported, not asserted by the tests. */
  timing?: boolean;
}

export interface FaultResult {
  id: string;
  title: string;
  /** The measured figures, by name. */
  figures: Record<string, number | string>;
  targets: FaultTarget[];
  /** Why the scenario could not run here (e.g. no Mosquitto); then it has no targets. */
  skipped?: string;
}

export interface Fault {
  id: string;
  title: string;
  run(size: FaultSize): Promise<FaultResult>;
}

export function met(result: FaultResult, includeTiming = true): boolean {
  return result.targets.every((t) => t.met || (t.timing === true && !includeTiming));
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The numbers of the "pulse <n>" messages among what reached Claude, in delivery order. */
export function pulseNumbers(notifications: ReadonlyArray<{ content: string }>): number[] {
  return notifications.map((n) => /^pulse (\d+)$/.exec(n.content)).filter((m) => m !== null).map((m) => Number(m[1]));
}
