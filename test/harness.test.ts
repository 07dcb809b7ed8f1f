import { test } from "node:test";
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { startBroker } from "./helpers/broker.js";

test("the harness broker carries a message from publisher to subscriber", async () => {
  const broker = await startBroker();
  const client = await mqtt.connectAsync(broker.url);
  try {
    await client.subscribeAsync("harness/check", { qos: 1 });
    const received = new Promise<string>((resolve) => client.once("message", (_t, payload) => resolve(payload.toString())));
    await client.publishAsync("harness/check", "hello", { qos: 1 });
    assert.equal(await received, "hello");
  } finally {
    await client.endAsync();
    await broker.stop();
  }
});
