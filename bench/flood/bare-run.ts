/** The flood into the bare subscriber (bench/baseline/bare-subscriber.ts): its CPU time per message. */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { paths } from "../lib/paths.js";
import { sleep } from "../lib/mqtt.js";
import { startPublisher, type FloodShape } from "./publisher-control.js";

export interface BareRun {
  received: number;
  cpuMicros: number;
  cpuMicrosPerMessage: number;
}

export async function bareSubscriberRun(url: string, prefix: string, shape: FloodShape): Promise<BareRun> {
  // The same probe as the bridge's (its 5 ms ticker and GC observer cost about 1 µs a message), so the ratio compares the work alone.
  const probeDir = mkdtempSync(join(tmpdir(), "claude-channel-bench-bare-"));
  const child = fork(join(paths.dist, "bench", "baseline", "bare-subscriber.js"), [url, `${prefix}/sensor/#`], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    execArgv: ["--require", paths.probe],
    env: { ...process.env, BENCH_PROBE_FILE: join(probeDir, "probe.jsonl") },
  });
  const next = <T>(key: string): Promise<T> =>
    new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`bare subscriber exited with ${code}`)));
      const listener = (m: unknown): void => {
        if (typeof m === "object" && m !== null && key in m) {
          child.off("message", listener);
          resolve(m as T);
        }
      };
      child.on("message", listener);
    });
  try {
    await next("ready");
    const publisher = await startPublisher(url, prefix, shape);
    child.send("go");
    await publisher.go();
    // As for the bridge: let it drain what the broker still holds for it.
    await sleep(1500);
    const done = next<{ received: number; cpuMicros: number }>("received");
    child.send("stop");
    const { received, cpuMicros } = await done;
    return { received, cpuMicros, cpuMicrosPerMessage: cpuMicros / Math.max(1, received) };
  } finally {
    if (child.exitCode === null) child.kill();
    rmSync(probeDir, { recursive: true, force: true });
  }
}
