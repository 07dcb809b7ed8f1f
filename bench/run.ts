/**
 * Runs the benchmarks: `npm run bench` (all, full length), `npm run bench -- --quick`
 * (all, under three minutes), `npm run bench -- gate e2e` (only those named; a name
 * selects every benchmark whose id starts with it).
 *
 * Prints the machine and a table on stdout, progress on stderr, and writes
 * `bench/results.json`: an array of {name, value, unit, baseline, ratio, target, met}
 * (plus detail, machine and time). A partial run replaces only the entries it measured.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { coalescing } from "./coalesce/admitted-burst.js";
import { e2eLatency } from "./e2e/e2e-latency.js";
import { watchedFlood } from "./flood/watched-flood.js";
import { gateClassify } from "./gate/gate-classify.js";
import { machineInfo, type MachineInfo } from "./lib/machine.js";
import type { BenchContext, BenchResult, Benchmark } from "./lib/result.js";
import { paths } from "./lib/paths.js";
import { claudeGateThroughput } from "./nodes/claude-gate-throughput.js";
import { formatTable } from "./lib/table.js";
import { startup } from "./startup/startup.js";

const BENCHMARKS: readonly Benchmark[] = [gateClassify, startup, e2eLatency, coalescing, watchedFlood, claudeGateThroughput];

const RESULTS_FILE = join(paths.benchSource, "results.json");

interface StoredResult extends BenchResult {
  quick: boolean;
  measuredAt: string;
  machine: MachineInfo;
  /** The machine's load average (1, 5, 15 min) when the benchmark started: other work skews timings. */
  loadAverage: number[];
}

function parseArgs(argv: readonly string[]): { quick: boolean; selected: Benchmark[] } {
  const quick = argv.includes("--quick");
  const names = argv.filter((a) => !a.startsWith("--"));
  const unknown = argv.filter((a) => a.startsWith("--") && a !== "--quick");
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(", ")}; accepted: --quick and benchmark ids (${BENCHMARKS.map((b) => b.id).join(", ")})`);
  const selected = names.length === 0 ? [...BENCHMARKS] : BENCHMARKS.filter((b) => names.some((n) => b.id.startsWith(n)));
  const unmatched = names.filter((n) => !BENCHMARKS.some((b) => b.id.startsWith(n)));
  if (unmatched.length > 0) throw new Error(`no benchmark called ${unmatched.join(", ")}; ids: ${BENCHMARKS.map((b) => b.id).join(", ")}`);
  return { quick, selected };
}

function readPrevious(): StoredResult[] {
  if (!existsSync(RESULTS_FILE)) return [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(RESULTS_FILE, "utf8"));
    return Array.isArray(parsed) ? (parsed as StoredResult[]) : [];
  } catch {
    process.stderr.write(`bench: ${RESULTS_FILE} was not readable JSON; starting it afresh\n`);
    return [];
  }
}

async function main(): Promise<void> {
  const { quick, selected } = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  const ctx: BenchContext = { quick, log: (line) => process.stderr.write(`bench: ${line}\n`) };
  const started = Date.now();
  console.log(`node-red-contrib-claude-channel benchmarks${quick ? " (quick)" : ""}`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, node ${machine.node}, ${machine.os}`);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(", ")} (other work on the machine skews timings)`);

  const fresh: StoredResult[] = [];
  const failures: string[] = [];
  for (const bench of selected) {
    ctx.log(`── ${bench.id}: ${bench.summary}`);
    try {
      const measuredAt = new Date().toISOString();
      const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
      for (const result of await bench.run(ctx)) fresh.push({ ...result, quick, measuredAt, machine, loadAverage });
    } catch (err) {
      failures.push(`${bench.id}: ${(err as Error).stack ?? String(err)}`);
      ctx.log(`${bench.id} failed: ${(err as Error).message}`);
    }
  }

  const kept = readPrevious().filter((old) => !fresh.some((r) => r.name === old.name));
  writeFileSync(RESULTS_FILE, `${JSON.stringify([...kept, ...fresh], null, 2)}\n`);
  console.log("");
  console.log(formatTable(fresh));
  console.log("");
  console.log(`${fresh.length} result(s) in ${((Date.now() - started) / 1000).toFixed(1)} s; written to bench/results.json`);
  if (failures.length > 0) {
    console.error(`\n${failures.length} benchmark(s) failed:\n${failures.join("\n")}`);
    process.exitCode = 1;
  }
}

// Exits once the table is out: a benchmark's runtime (Node-RED, a broker client) may keep a handle open.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(1);
  },
);
