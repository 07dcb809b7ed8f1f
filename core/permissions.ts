/**
 * Where Claude may publish: the owner's publish permissions and the reply space.
 *
 * Rules:
 * - `deny` wins: a topic matching any deny filter is refused.
 * - With an allow list (one or more filters), only topics matching one of them may be
 *   published; an empty or absent allow list allows every topic that is not denied
 *   (claude-code-mqtt's behaviour).
 * - The reply space: a reply (to a request's `reply_to`) may only go to a session inbox
 *   `<prefix>/sessions/<name>/inbox`, or to a topic an allow filter names explicitly
 *   (the owner's widening); a deny filter still wins. Without this rule anyone able to
 *   write one inbox could have a reply published anywhere the replier may publish.
 * - Filters follow MQTT matching (core/topics); invalid ones are refused where they enter.
 *
 * A refusal names the rule, so the tool error and the node status tell the owner which
 * list to change.
 */
import { validateSessionName } from "./session-name.js";
import { matches } from "./topics.js";

export interface PublishPermissions {
  /** Absent or empty: every topic not denied. */
  allow?: readonly string[];
  deny: readonly string[];
}

export type Refusal = "denied" | "not-allowed" | "outside-reply-space";

export type PermissionVerdict = { ok: true } | { ok: false; refusal: Refusal; message: string };

export const NO_PERMISSIONS: PublishPermissions = { deny: [] };

const ALLOWED: PermissionVerdict = { ok: true };

function firstMatch(filters: readonly string[] | undefined, topic: string): string | undefined {
  return filters?.find((filter) => matches(filter, topic));
}

function hasAllowList(permissions: PublishPermissions): boolean {
  return (permissions.allow?.length ?? 0) > 0;
}

/** Whether Claude may publish on `topic` under the owner's permissions. */
export function checkPublish(permissions: PublishPermissions, topic: string): PermissionVerdict {
  const denied = firstMatch(permissions.deny, topic);
  if (denied !== undefined) {
    return { ok: false, refusal: "denied", message: `${topic} is refused by the owner's publish deny rule "${denied}" (publishDeny)` };
  }
  if (hasAllowList(permissions) && firstMatch(permissions.allow, topic) === undefined) {
    const list = (permissions.allow ?? []).map((f) => `"${f}"`).join(", ");
    return { ok: false, refusal: "not-allowed", message: `${topic} is not in the owner's publish allow list (publishAllow: ${list})` };
  }
  return ALLOWED;
}

/** Whether `topic` is some session's inbox under `prefix`. */
export function isSessionInbox(prefix: string, topic: string): boolean {
  const head = `${prefix}/sessions/`;
  if (!topic.startsWith(head) || !topic.endsWith("/inbox")) return false;
  const name = topic.slice(head.length, -"/inbox".length);
  return validateSessionName(name) === undefined;
}

/**
 * Whether a reply may go to `topic`: a session inbox, or a topic an allow filter (the
 * session's, or `widen`: the flow node's own) names; a deny filter still wins. Claude's
 * replies must pass `checkPublish` as well.
 */
export function checkReply(permissions: PublishPermissions, prefix: string, topic: string, widen: readonly string[] = []): PermissionVerdict {
  const denied = checkPublish({ deny: permissions.deny }, topic);
  if (!denied.ok) return denied;
  if (isSessionInbox(prefix, topic)) return ALLOWED;
  if (firstMatch(permissions.allow, topic) !== undefined || firstMatch(widen, topic) !== undefined) return ALLOWED;
  return {
    ok: false,
    refusal: "outside-reply-space",
    message: `${topic} is outside the reply space: a reply goes to a session inbox (${prefix}/sessions/<name>/inbox) or to a topic the owner allows explicitly (publishAllow)`,
  };
}

/** One line for instructions and status texts. */
export function describePermissions(permissions: PublishPermissions): string {
  const allow = hasAllowList(permissions) ? `only ${(permissions.allow ?? []).join(", ")}` : "any topic";
  const deny = permissions.deny.length > 0 ? `, never ${permissions.deny.join(", ")}` : "";
  return `${allow}${deny}`;
}
