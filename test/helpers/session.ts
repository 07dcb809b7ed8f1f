/** Builds sessions against a test broker and waits for their events. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { Session } from "../../session/session.js";
import { FileSessionStore } from "../../session/store.js";
import type { SessionEvents, SessionOptions } from "../../session/types.js";

export function tempDir(label = "claude-channel-"): string {
  return mkdtempSync(join(tmpdir(), label));
}

/** A topic prefix of its own for each test, so tests never see each other's traffic. */
export function uniquePrefix(): string {
  return `t${randomUUID().slice(0, 8)}`;
}

export function sessionOptions(brokerUrl: string, overrides: Partial<SessionOptions> = {}): SessionOptions {
  return {
    name: "alpha",
    prefix: uniquePrefix(),
    brokerUrl,
    qos: 1,
    heartbeatSeconds: 60,
    requestTimeoutSeconds: 5,
    maxPayloadBytes: 262_144,
    maxPendingRequests: 50,
    bufferMaxBytes: 16 * 1024 * 1024,
    host: "bridge",
    version: "test",
    ...overrides,
  };
}

export function fileStore(dir: string, name: string): FileSessionStore {
  return FileSessionStore.forSession(join(dir, "sessions"), name);
}

export function nextEvent<E extends keyof SessionEvents>(
  session: Session,
  event: E,
  predicate: (...args: SessionEvents[E]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<SessionEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.off(event, listener as never);
      reject(new Error(`no "${String(event)}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: SessionEvents[E]): void => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      session.off(event, listener as never);
      resolve(args);
    };
    session.on(event, listener as never);
  });
}

export async function startedSession(options: SessionOptions): Promise<Session> {
  const session = new Session(options);
  const connected = nextEvent(session, "state", (s) => s === "connected");
  session.start();
  await connected;
  return session;
}
