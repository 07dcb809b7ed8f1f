/**
 * Service topics: the flow link's plumbing attached to a session. Messages on an attached
 * topic go to its handler and never through the gate; frames go out as they are, on the
 * publish lane (lane.ts), which opens with the first attachment.
 */
import type { PublishLane } from "./lane.js";
import type { Subscriber } from "./subscriber.js";
import type { LogLevel } from "./types.js";

/** Receives the raw messages of a service topic. */
export type ServiceHandler = (topic: string, payload: Buffer) => void;

export class ServiceTopics {
  private readonly handlers = new Map<string, ServiceHandler>();

  constructor(
    private readonly lane: PublishLane,
    private readonly subscriber: Subscriber,
    private readonly log: (level: LogLevel, message: string) => void,
  ) {}

  /** Hands a message on an attached topic to its handler; false when `topic` is not attached. */
  deliver(topic: string, payload: Buffer): boolean {
    const handler = this.handlers.get(topic);
    if (!handler) return false;
    try {
      handler(topic, payload);
    } catch (err) {
      this.log("error", `service handler for ${topic} failed: ${(err as Error).message}`);
    }
    return true;
  }

  /** Routes `topic` to `handler`, subscribed while attached; returns the detachment. `openLane`: false once the session stops. */
  async attach(topic: string, handler: ServiceHandler, openLane: boolean): Promise<() => Promise<void>> {
    this.handlers.set(topic, handler);
    if (openLane) this.lane.open();
    await this.subscriber.need(topic, "link");
    return async () => {
      this.handlers.delete(topic);
      await this.subscriber.release(topic, "link");
    };
  }

  async publish(topic: string, payload: string, retain: boolean): Promise<void> {
    await this.lane.publish(topic, payload, 1, retain);
  }

  close(): Promise<void> {
    return this.lane.close();
  }
}
