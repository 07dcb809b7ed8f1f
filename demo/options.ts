/**
 * The demo's command line: `--check`, `--port N` (the MQTT broker), `--http-port N`
 * (editor and Claude view), `--dir PATH` (Node-RED's user directory and the bridge's
 * state). Ports are 1–65535; without one, a free port is taken. Without `--dir` the
 * demo uses `.demo/` in the repository, and `--check` a fresh temporary directory.
 */
export interface DemoOptions {
  check: boolean;
  brokerPort?: number;
  httpPort?: number;
  dir?: string;
}

export class UsageError extends Error {}

export const USAGE = "usage: npm run demo [-- --check] [--port N] [--http-port N] [--dir PATH]";

export function parseOptions(argv: readonly string[]): DemoOptions {
  const options: DemoOptions = { check: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = splitFlag(argv[i]!);
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === "") throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--check":
        if (inline !== undefined) throw new UsageError("--check takes no value");
        options.check = true;
        break;
      case "--port":
        options.brokerPort = port(flag, value());
        break;
      case "--http-port":
        options.httpPort = port(flag, value());
        break;
      case "--dir":
        options.dir = value();
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(argv[i])}`);
    }
  }
  return options;
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

function port(flag: string, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag} ${JSON.stringify(text)}: accepted: a port number from 1 to 65535`);
  return n;
}
