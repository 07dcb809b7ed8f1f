/**
 * The fixed topics of a session: `<prefix>/sessions/<name>/{inbox,status,channel,rpc}`.
 *
 * - `inbox`: messages to the session (the reference's layout).
 * - `status`: retained health, also the Last Will topic (the reference's layout).
 * - `channel`: admitted events, flow-hosted session → bridge.
 * - `rpc`: tool calls, bridge → flow-hosted session.
 * - `permission`: Claude Code's permission requests, bridge → approver (bridge mode);
 *   `permission/verdict`: the approver's signed verdicts.
 *
 * `prefix` and `name` are expected to be valid already (see settings and session-name).
 */

export interface SessionTopics {
  base: string;
  inbox: string;
  status: string;
  channel: string;
  rpc: string;
  permission: string;
  verdict: string;
}

export function sessionTopics(prefix: string, name: string): SessionTopics {
  const base = `${prefix}/sessions/${name}`;
  return {
    base,
    inbox: `${base}/inbox`,
    status: `${base}/status`,
    channel: `${base}/channel`,
    rpc: `${base}/rpc`,
    permission: `${base}/permission`,
    verdict: `${base}/permission/verdict`,
  };
}
