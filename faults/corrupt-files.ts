/**
 * Broken files: a session file that is not JSON, a `.env` with a bad value, a torn outbox
 * journal. Targets: a clear error or reported problem naming the file or variable, no crash
 * (the bridge with a bad session file still runs), and the broken file kept for its owner
 * (as it was, or moved aside).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileOutboxStore } from "../session/link/outbox-store.js";
import { bridgeEnv, spawnRaw, startBridge, writeStateFile } from "../test/bridge/harness.js";
import { startBroker } from "../test/helpers/broker.js";
import { tempDir, uniquePrefix } from "../test/helpers/session.js";
import type { Fault, FaultResult, FaultSize, FaultTarget } from "./fault.js";

const BROKEN_SESSION = '{"admitted": ["home/#"], "watched": [';
const BROKEN_ENV = "SESSION_NAME=alpha\nQOS=7\n";

export const corruptFiles: Fault = {
  id: "corrupt-files",
  title: "corrupt session, .env and outbox files",
  async run(_size: FaultSize): Promise<FaultResult> {
    const targets: FaultTarget[] = [];
    const figures: Record<string, string> = {};
    const broker = await startBroker();
    try {
      // A session file that is not JSON: the bridge starts, reports it, and leaves the file alone.
      const stateDir = tempDir("claude-fault-state-");
      writeStateFile(stateDir, "sessions/alpha.json", BROKEN_SESSION);
      const bridge = await startBridge({ brokerUrl: broker.url, stateDir });
      const status = await bridge.status();
      await bridge.close();
      const problem = status.problems.find((p) => p.includes("alpha.json")) ?? "";
      figures.sessionFileProblem = problem;
      targets.push({ what: "a broken session file is reported, naming the file, and the bridge runs", met: problem !== "" && status.connection.state === "connected" });
      const sessions = join(stateDir, "sessions");
      const kept = readdirSync(sessions).filter((f) => f === "alpha.json" || f.startsWith("alpha.json.corrupt-"));
      figures.sessionFileKeptAs = kept.join(", ");
      targets.push({ what: "the broken session file is kept (as it was, or moved aside whole)", met: kept.some((f) => readFileSync(join(sessions, f), "utf8") === BROKEN_SESSION) });

      // A .env with a bad value: the bridge stops with an error naming the variable; the file is untouched.
      const envDir = tempDir("claude-fault-env-");
      writeStateFile(envDir, ".env", BROKEN_ENV);
      const raw = spawnRaw(bridgeEnv({ brokerUrl: broker.url, omit: ["SESSION_NAME"] }, envDir, uniquePrefix(), "alpha"));
      const { code } = await raw.exited;
      figures.envError = raw.stderr().trim().split("\n").find((line) => line.includes("QOS")) ?? raw.stderr().trim();
      targets.push({ what: "a bad .env value stops the bridge with an error naming the variable", met: code !== 0 && /QOS/.test(raw.stderr()) && !/\n\s+at /.test(raw.stderr()) });
      targets.push({ what: "the .env is kept as it was", met: readFileSync(join(envDir, ".env"), "utf8") === BROKEN_ENV });

      // A torn outbox journal: what came before the damage is recovered; the file is moved aside and reported.
      const outboxDir = tempDir("claude-fault-outbox-");
      const path = join(outboxDir, "home.jsonl");
      const store = fileOutboxStore(path, () => undefined);
      store.added({ topic: "t", content: "kept", kind: "text", receivedAt: 1, pattern: "t", via: "flow" });
      writeStateFile(outboxDir, "home.jsonl", `${readFileSync(path, "utf8")}{"add": {"top`);
      const reported: string[] = [];
      const recovered = fileOutboxStore(path, (p) => reported.push(p)).load();
      figures.outboxProblem = reported.join("; ");
      targets.push({
        what: "a torn outbox journal is reported, what came before is recovered, and the file is moved aside",
        met: reported.length === 1 && recovered.map((m) => m.content).join() === "kept" && readdirSync(outboxDir).some((f) => f.startsWith("home.jsonl.corrupt-")) && existsSync(path),
      });
    } finally {
      await broker.stop();
    }
    return { id: this.id, title: this.title, figures, targets };
  },
};
