/** An operation the session refused or could not do; its message is written for Claude or the flow's owner. */
export class SessionError extends Error {}
