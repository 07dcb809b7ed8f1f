/** The in-process aedes broker, for machines without a mosquitto binary (and the demo). */
import { createServer, type Server, type Socket } from "node:net";

export interface EmbeddedBroker {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(port: number, host = "127.0.0.1"): Promise<EmbeddedBroker> {
  const { Aedes } = (await import("aedes")) as unknown as {
    Aedes: { createBroker(): Promise<{ handle(socket: Socket): void; close(cb: () => void): void }> };
  };
  const broker = await Aedes.createBroker();
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => broker.close(() => resolve()));
      }),
  };
}
