/**
 * TLS settings from a Node-RED `tls-config` node, through its own `addTLSOptions`
 * (as the core MQTT broker node does), narrowed to what the session's connection takes.
 */
import type { Node, NodeAPI } from "node-red";
import type { TlsOptions } from "../../session/types.js";

interface TlsConfigNode extends Node {
  valid?: boolean;
  addTLSOptions(options: Record<string, unknown>): Record<string, unknown>;
}

function isTlsConfigNode(node: Node | null | undefined): node is TlsConfigNode {
  return !!node && node.type === "tls-config" && typeof (node as Partial<TlsConfigNode>).addTLSOptions === "function";
}

const isKeyMaterial = (value: unknown): value is string | Buffer => typeof value === "string" || Buffer.isBuffer(value);

export type TlsLookup = { ok: true; tls: TlsOptions } | { ok: false; problem: string };

export function tlsFromConfigNode(RED: NodeAPI, id: string): TlsLookup {
  const node = RED.nodes.getNode(id);
  if (!isTlsConfigNode(node)) return { ok: false, problem: `tls: the TLS configuration ${id} does not exist (any more); pick another one` };
  if (node.valid === false) return { ok: false, problem: "tls: the TLS configuration could not load its certificate or key (see its error in the log)" };
  const options = node.addTLSOptions({});
  const tls: TlsOptions = {};
  if (isKeyMaterial(options.ca)) tls.ca = options.ca;
  if (isKeyMaterial(options.cert)) tls.cert = options.cert;
  if (isKeyMaterial(options.key)) tls.key = options.key;
  if (typeof options.passphrase === "string") tls.passphrase = options.passphrase;
  if (typeof options.servername === "string") tls.servername = options.servername;
  // tls-config stores the checkbox as given; older flows hold "true"/"false" strings.
  const verify = options.rejectUnauthorized;
  tls.rejectUnauthorized = verify === true || verify === "true";
  return { ok: true, tls };
}
