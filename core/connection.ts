/**
 * Broker URLs and topic prefixes: why a value is refused, or undefined when it is usable.
 * Used for MQTT_BROKER_URL / MQTT_TOPIC_PREFIX and for the claude-session node's `broker` /
 * `prefix`, in the runtime and in the editor.
 *
 * Rules:
 * - A broker URL has no whitespace and no "#" (a .env value has no inline comments; a "#" in a
 *   password is written %23), parses as a URL, uses one of BROKER_PROTOCOLS and names a host.
 * - A prefix is topic levels without "+", "#" or NUL, not starting with "$" (reserved for the
 *   broker's topics) or "/", not ending with "/", without whitespace at either end.
 */
import { BROKER_PROTOCOLS } from "./limits.js";

/** Why `raw` is not a usable broker URL, or undefined. */
export function brokerUrlReason(raw: string): string | undefined {
  if (/\s/.test(raw)) {
    return raw.includes("#")
      ? 'contains whitespace (a .env value has no inline comments: everything after "=" is the value)'
      : "contains whitespace";
  }
  if (raw.includes("#")) return 'contains "#" (no inline comments in .env; in a password write "#" as %23)';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  const protocol = url.protocol.replace(/:$/, "");
  if (!(BROKER_PROTOCOLS as readonly string[]).includes(protocol)) return `protocol "${protocol}" is not supported`;
  if (url.hostname === "") return "has no host";
  return undefined;
}

export const BROKER_URL_ACCEPTED = `a URL such as mqtt://host:1883, with protocol ${BROKER_PROTOCOLS.join(", ")}`;

/** Why `raw` is not a usable topic prefix, or undefined. */
export function topicPrefixReason(raw: string): string | undefined {
  if (raw.includes("+") || raw.includes("#")) return 'contains an MQTT wildcard ("+" or "#"), which topic names cannot hold';
  if (raw.includes("\u0000")) return "contains a NUL character, which MQTT forbids";
  if (raw.startsWith("/") || raw.endsWith("/")) return 'starts or ends with "/"';
  if (raw.startsWith("$")) return 'starts with "$", which MQTT reserves for broker topics';
  if (/^\s|\s$/.test(raw)) return "starts or ends with whitespace";
  return undefined;
}

export const TOPIC_PREFIX_ACCEPTED = 'one or more topic levels without "+", "#" or NUL, not starting with "$" or "/", not ending with "/" (e.g. claude or home/claude)';
