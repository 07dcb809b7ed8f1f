import { after, before, test } from "node:test";
import { startBroker, type TestBroker } from "../helpers/broker.js";
import { nextEvent, sessionOptions } from "../helpers/session.js";
import { Session } from "../../session/session.js";

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.stop();
});

test("a password without a username is not sent (a broker would close the connection) and the session says so", async () => {
  const session = new Session(sessionOptions(broker.url, { password: "lonely" }));
  const warned = nextEvent(session, "log", (level, message) => level === "warn" && /password is set without a username/.test(message));
  const connected = nextEvent(session, "state", (state) => state === "connected");
  session.start();
  try {
    await warned;
    await connected;
  } finally {
    await session.stop();
  }
});
