/**
 * Flow payloads as text or bytes for MQTT: strings and Buffers as they are, numbers and
 * booleans as their text, objects and arrays as JSON (so an envelope object keeps its
 * sender). Nothing is sent for a missing payload or one that has no JSON form.
 */
import { InputError } from "./input.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function serialisePayload(payload: unknown): string | Buffer {
  if (typeof payload === "string" || Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload);
  switch (typeof payload) {
    case "undefined":
      throw new InputError("msg.payload is missing");
    case "number":
    case "boolean":
    case "bigint":
      return String(payload);
    case "function":
    case "symbol":
      throw new InputError(`msg.payload is a ${typeof payload}, which has no text form`);
  }
  try {
    return JSON.stringify(payload);
  } catch (err) {
    throw new InputError(`msg.payload cannot be turned into JSON: ${(err as Error).message}`);
  }
}

/** The payload as text; a Buffer must hold UTF-8 (an envelope carries text, not bytes). */
export function payloadText(payload: unknown): string {
  const serialised = serialisePayload(payload);
  if (typeof serialised === "string") return serialised;
  try {
    return utf8.decode(serialised);
  } catch {
    throw new InputError(`msg.payload is a Buffer of ${serialised.length} bytes that is not UTF-8 text; send text or JSON instead`);
  }
}
