/**
 * Session files the bridge must not trust or overwrite: one it may not read, a directory in
 * the file's place, one with 100,000 patterns, and a `.env` whose SESSION_NAME holds a NUL.
 * Targets: the bridge runs and says what is wrong, naming the file or variable; a file it
 * could not read whole is never written (changes to the lists fail clearly instead); no
 * temp file is left; with 100,000 patterns its own inbox and status still work.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_PATTERNS_PER_LIST } from "../core/limits.js";
import { bridgeEnv, spawnRaw, startBridge, writeStateFile, type BridgeClient } from "../test/bridge/harness.js";
import { startBroker, type TestBroker } from "../test/helpers/broker.js";
import { tempDir, uniquePrefix } from "../test/helpers/session.js";
import type { Fault, FaultResult, FaultTarget } from "./fault.js";

const OWNERS = JSON.stringify({ admitted: ["owner/#"], watched: ["owner/w/#"] });

/** A bridge on `stateDir`; what `admit` answers; the session files left afterwards. */
async function tryAdmit(broker: TestBroker, stateDir: string): Promise<{ problems: string[]; admit: { text: string; isError: boolean }; connected: boolean; files: string[] }> {
  const bridge = await startBridge({ brokerUrl: broker.url, stateDir });
  try {
    const status = await bridge.status();
    const admit = await bridge.call("admit", { pattern: "intruder/#" });
    return { problems: status.problems, admit, connected: status.connection.state === "connected", files: readdirSync(join(stateDir, "sessions")) };
  } finally {
    await bridge.close();
  }
}

function refusedClearly(outcome: { problems: string[]; admit: { text: string; isError: boolean } }): boolean {
  return outcome.admit.isError && /alpha\.json/.test(outcome.admit.text) && /cannot change until the file is fixed/.test(outcome.admit.text) && outcome.problems.some((p) => p.includes("alpha.json"));
}

export const sessionFiles: Fault = {
  id: "session-files",
  title: "unreadable, misplaced and oversized session files; a NUL in SESSION_NAME",
  async run(): Promise<FaultResult> {
    const targets: FaultTarget[] = [];
    const figures: Record<string, string | number> = {};
    const broker = await startBroker();
    try {
      // A file the bridge may not read. Root reads every file, so there the case cannot be made.
      if (process.getuid?.() === 0) {
        figures.unreadableFile = "not tried: running as root, which reads every file";
      } else {
        const stateDir = tempDir("claude-fault-state-");
        writeStateFile(stateDir, "sessions/alpha.json", OWNERS);
        chmodSync(join(stateDir, "sessions", "alpha.json"), 0o000);
        const outcome = await tryAdmit(broker, stateDir);
        chmodSync(join(stateDir, "sessions", "alpha.json"), 0o600);
        figures.unreadableFile = outcome.admit.text;
        targets.push({ what: "an unreadable session file: admit fails naming it, and the file is not overwritten", met: refusedClearly(outcome) && readFileSync(join(stateDir, "sessions", "alpha.json"), "utf8") === OWNERS });
      }

      // A directory where the file should be.
      const dirState = tempDir("claude-fault-state-");
      mkdirSync(join(dirState, "sessions", "alpha.json"), { recursive: true });
      const inPlace = await tryAdmit(broker, dirState);
      figures.directoryInPlace = inPlace.admit.text;
      targets.push({ what: "a directory in the session file's place: the bridge runs, admit fails naming it", met: inPlace.connected && refusedClearly(inPlace) });
      targets.push({ what: "no temp file is left behind", met: inPlace.files.join() === "alpha.json" });

      // 100,000 patterns.
      const bigState = tempDir("claude-fault-state-");
      const prefix = uniquePrefix();
      const big = JSON.stringify({ admitted: [`${prefix}/sessions/alpha/inbox`], watched: Array.from({ length: 100_000 }, (_, i) => `${prefix}/w/${i}`) });
      writeStateFile(bigState, "sessions/alpha.json", big);
      const bridge: BridgeClient = await startBridge({ brokerUrl: broker.url, stateDir: bigState, prefix });
      try {
        const status = await bridge.status();
        const ping = JSON.parse(await bridge.ok("ping", { timeout: 10 })) as { cameBack?: boolean };
        const admit = await bridge.call("admit", { pattern: "intruder/#" });
        figures.bigFileProblem = status.problems.find((p) => p.includes("alpha.json")) ?? "";
        // A long list is shown as {count, first, more} (the answer's size budget).
        const subscriptions: unknown = status.activeSubscriptions;
        figures.bigFileSubscriptions = Array.isArray(subscriptions) ? subscriptions.length : (subscriptions as { count: number }).count;
        targets.push({ what: `100,000 patterns: reported, the first ${MAX_PATTERNS_PER_LIST} in force, the file left as it is`, met: /more than 1000 patterns/.test(String(figures.bigFileProblem)) && admit.isError && readFileSync(join(bigState, "sessions", "alpha.json"), "utf8") === big });
        targets.push({ what: "100,000 patterns: the inbox is subscribed and a ping comes back", met: ping.cameBack === true && status.connection.state === "connected" });
      } finally {
        await bridge.close();
      }

      // A NUL in SESSION_NAME.
      const envDir = tempDir("claude-fault-env-");
      writeFileSync(join(envDir, ".env"), "SESSION_NAME=a\u0000b\n");
      const raw = spawnRaw(bridgeEnv({ brokerUrl: broker.url, omit: ["SESSION_NAME"] }, envDir, uniquePrefix(), "alpha"));
      const { code } = await raw.exited;
      figures.nulInName = raw.stderr().trim().split("\n").find((line) => line.includes("SESSION_NAME")) ?? raw.stderr().trim();
      targets.push({ what: "a NUL in SESSION_NAME stops the bridge with an error naming the variable", met: code !== 0 && /SESSION_NAME=.*control character U\+0000/.test(raw.stderr()) });
    } finally {
      await broker.stop();
    }
    return { id: this.id, title: this.title, figures, targets };
  },
};
