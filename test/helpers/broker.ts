/**
 * A real MQTT broker for one test suite: Mosquitto on a free loopback port,
 * or the embedded aedes broker where no mosquitto binary exists.
 * `restart()` brings the broker back on the same port (for reconnect tests).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Mosquitto-only settings; the embedded aedes broker has none of them (check `kind`). */
export interface BrokerOptions {
  /** Publish `$SYS/broker/...` every this many seconds (e.g. `$SYS/broker/clients/connected`). */
  sysIntervalSeconds?: number;
  /** A mosquitto password file: anonymous clients are then refused. */
  passwordFile?: string;
  /** Makes the listener TLS (the URL becomes mqtts://127.0.0.1:<port>; the certificate must name that IP). */
  tls?: { certfile: string; keyfile: string };
  /** Keeps sessions and queued messages on disk, saved after every change, so they survive a kill -9. */
  persistence?: boolean;
}

export interface TestBroker {
  readonly port: number;
  readonly url: string;
  readonly kind: "mosquitto" | "aedes";
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Kill the broker without waiting (the process or server is gone afterwards). */
  kill(): Promise<void>;
  start(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function findMosquitto(): string | undefined {
  for (const candidate of [process.env.MOSQUITTO_BIN, "/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  const which = spawnSync("sh", ["-c", "command -v mosquitto"], { encoding: "utf8" });
  const found = which.stdout.trim();
  return found || undefined;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`broker did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

class MosquittoBroker implements TestBroker {
  readonly kind = "mosquitto" as const;
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "claude-channel-broker-"));
  private stderr = "";

  constructor(
    private readonly bin: string,
    readonly port: number,
    private readonly options: BrokerOptions = {},
  ) {
    const { sysIntervalSeconds, passwordFile, tls, persistence } = options;
    writeFileSync(
      join(this.dir, "mosquitto.conf"),
      [
        `listener ${port} 127.0.0.1`,
        passwordFile ? `password_file ${passwordFile}` : "",
        `allow_anonymous ${passwordFile ? "false" : "true"}`,
        persistence ? `persistence true\npersistence_location ${this.dir}/\nautosave_interval 1\nautosave_on_changes true` : "persistence false",
        // Started as root, Mosquitto becomes the "mosquitto" user, which cannot write the database into our private directory.
        persistence && process.getuid?.() === 0 ? "user root" : "",
        "max_keepalive 65535",
        sysIntervalSeconds ? `sys_interval ${sysIntervalSeconds}` : "",
        tls ? `certfile ${tls.certfile}\nkeyfile ${tls.keyfile}` : "",
        "",
      ].join("\n"),
    );
  }

  get url(): string {
    return `${this.options.tls ? "mqtts" : "mqtt"}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.stderr = "";
    const child = spawn(this.bin, ["-c", join(this.dir, "mosquitto.conf")], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`mosquitto exited (${code}): ${this.stderr}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForPort(this.port, 5000), exited]);
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill(signal);
    });
  }

  async kill(): Promise<void> {
    await this.terminate("SIGKILL");
  }

  async stop(): Promise<void> {
    await this.terminate("SIGTERM");
    rmSync(this.dir, { recursive: true, force: true });
  }

  async restart(): Promise<void> {
    await this.terminate("SIGTERM");
    await this.start();
  }
}

class AedesBroker implements TestBroker {
  readonly kind = "aedes" as const;
  private closeBroker: (() => Promise<void>) | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const { startEmbeddedBroker } = await import("../../demo/embedded-broker.js");
    const embedded = await startEmbeddedBroker(this.port);
    this.closeBroker = embedded.close;
  }

  async kill(): Promise<void> {
    await this.closeBroker?.();
    this.closeBroker = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }
}

/**
 * Start a broker for one suite. Set `TEST_BROKER=aedes` to force the embedded broker, which
 * ignores `options` (tests needing them check `kind`).
 */
export async function startBroker(options: BrokerOptions = {}): Promise<TestBroker> {
  const port = await freePort();
  const bin = process.env.TEST_BROKER === "aedes" ? undefined : findMosquitto();
  const broker: TestBroker = bin ? new MosquittoBroker(bin, port, options) : new AedesBroker(port);
  await broker.start();
  return broker;
}
