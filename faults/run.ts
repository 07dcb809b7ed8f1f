/**
 * Runs the fault scenarios: `npm run faults` (full size), `npm run faults -- --quick`, or
 * `npm run faults -- broker` (the scenarios whose id starts with a name given). Prints a
 * table and writes `faults/results.json`; exits 1 when a target is missed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FAULTS } from "./all.js";
import { met, type FaultResult } from "./fault.js";

const RESULTS_FILE = join(__dirname, "..", "..", "faults", "results.json");

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const names = args.filter((a) => !a.startsWith("--"));
  const selected = names.length === 0 ? FAULTS : FAULTS.filter((f) => names.some((n) => f.id.startsWith(n)));
  if (selected.length === 0) throw new Error(`no fault scenario called ${names.join(", ")}; ids: ${FAULTS.map((f) => f.id).join(", ")}`);
  const results: FaultResult[] = [];
  for (const fault of selected) {
    process.stderr.write(`faults: ${fault.id}…\n`);
    results.push(await fault.run(quick ? "quick" : "full"));
  }
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ measuredAt: new Date().toISOString(), quick, results }, null, 2)}\n`);
  for (const result of results) {
    const verdict = result.skipped ? `skipped: ${result.skipped}` : met(result) ? "met" : "MISSED";
    console.log(`${result.id.padEnd(18)} ${verdict}`);
    for (const [name, value] of Object.entries(result.figures)) console.log(`    ${name}: ${value}`);
    for (const target of result.targets) console.log(`    ${target.met ? "✓" : "✗"} ${target.what}`);
  }
  return results.every((r) => r.skipped !== undefined || met(r)) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
