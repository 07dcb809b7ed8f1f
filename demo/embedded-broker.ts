/** The in-process aedes broker, for machines without a mosquitto binary (and the demo). */
import { createServer, type Server, type Socket } from "node:net";

export interface EmbeddedBroker {
  server: Server;
  port: number;
  /** Resolves once some client has subscribed to exactly this filter (at once if one already has). */
  whenSubscribed(filter: string): Promise<void>;
  close(): Promise<void>;
}

interface AedesBroker {
  handle(socket: Socket): void;
  on(event: "subscribe", listener: (subscriptions: Array<{ topic: string }>) => void): void;
  close(cb: () => void): void;
}

export async function startEmbeddedBroker(port: number, host = "127.0.0.1"): Promise<EmbeddedBroker> {
  const { Aedes } = (await import("aedes")) as unknown as {
    Aedes: { createBroker(): Promise<AedesBroker> };
  };
  const broker = await Aedes.createBroker();
  const subscribed = new Set<string>();
  const waiting = new Map<string, Array<() => void>>();
  broker.on("subscribe", (subscriptions) => {
    for (const { topic } of subscriptions) {
      subscribed.add(topic);
      for (const wake of waiting.get(topic) ?? []) wake();
      waiting.delete(topic);
    }
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    server,
    port: actualPort,
    whenSubscribed: (filter) =>
      subscribed.has(filter) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(filter, [...(waiting.get(filter) ?? []), resolve])),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => broker.close(() => resolve()));
      }),
  };
}
