/**
 * A broker that refuses some filters, to play the bad cases a real broker produces:
 * aedes with `maxTopicLevels` set low (a filter with more levels makes it drop the
 * connection, as Mosquitto does with one it finds malformed) and an authorizer that
 * answers `refused/…` filters with a SUBACK failure (as a broker's ACL does).
 */
import { createServer, type Socket } from "node:net";
import { freePort } from "./broker.js";

export interface PickyBroker {
  readonly url: string;
  /** Connections the broker accepted so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

interface Subscription {
  topic: string;
}
type AuthorizeSubscribe = (client: unknown, subscription: Subscription, done: (err: Error | null, subscription?: Subscription | null) => void) => void;
interface AedesBroker {
  handle(socket: Socket): void;
  close(cb: () => void): void;
}

export const PICKY_MAX_LEVELS = 8;

export async function startPickyBroker(): Promise<PickyBroker> {
  const { Aedes } = (await import("aedes")) as unknown as {
    Aedes: { createBroker(options: { maxTopicLevels: number; authorizeSubscribe: AuthorizeSubscribe }): Promise<AedesBroker> };
  };
  const broker = await Aedes.createBroker({
    maxTopicLevels: PICKY_MAX_LEVELS,
    authorizeSubscribe: (_client, subscription, done) => done(null, subscription.topic.startsWith("refused/") ? null : subscription),
  });
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    broker.handle(socket);
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => broker.close(() => resolve()));
      }),
  };
}
