/** The results as a plain-text table for the terminal. */
import type { BenchResult } from "./result.js";

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function verdict(met: boolean | null): string {
  if (met === null) return "—";
  return met ? "met" : "MISSED";
}

export function formatTable(results: readonly BenchResult[]): string {
  const header = ["benchmark", "value", "baseline", "ratio", "target", "result"];
  const rows = results.map((r) => [
    r.name,
    `${formatNumber(r.value)} ${r.unit}`,
    `${formatNumber(r.baseline)} ${r.unit}`,
    `${formatNumber(r.ratio)}×`,
    r.target,
    verdict(r.met),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
