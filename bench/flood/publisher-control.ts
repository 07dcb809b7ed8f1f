/** Starts the flood's publisher (publisher.ts) in a child process and sets it going on cue. */
import { fork } from "node:child_process";
import { join } from "node:path";
import { paths } from "../lib/paths.js";

export interface FloodShape {
  rate: number;
  seconds: number;
  topics: number;
}

export interface Publisher {
  /** Starts the flood; resolves with what was published once it is over. */
  go(): Promise<{ published: number; seconds: number }>;
}

/** Forks the publisher and waits until it is connected, so its start-up is not measured. */
export async function startPublisher(url: string, prefix: string, shape: FloodShape): Promise<Publisher> {
  const child = fork(join(paths.dist, "bench", "flood", "publisher.js"), [url, prefix, String(shape.rate), String(shape.seconds), String(shape.topics)], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const failed = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`flood publisher exited with ${code}`))),
  );
  failed.catch(() => undefined);
  const message = (key: string): Promise<Record<string, unknown>> =>
    Promise.race([
      new Promise<Record<string, unknown>>((resolve) => {
        const listener = (m: unknown): void => {
          if (typeof m === "object" && m !== null && key in m) {
            child.off("message", listener);
            resolve(m as Record<string, unknown>);
          }
        };
        child.on("message", listener);
      }),
      failed,
    ]);
  await message("ready");
  return {
    async go() {
      const done = message("published");
      child.send("go");
      const m = await done;
      return { published: Number(m.published), seconds: Number(m.seconds) };
    },
  };
}
