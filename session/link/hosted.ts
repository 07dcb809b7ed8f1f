/**
 * A session that serves Claude Code's bridges over the flow link, and how the two go
 * together: the session's retained status names the link's protocol and epoch (so a
 * bridge knows a flow hosts it, and when it restarted); the link attaches before the
 * session connects, so its rpc subscription is in place before the first online status
 * invites bridges to say hello; and the link stops when the session does.
 */
import { Session } from "../session.js";
import type { SessionOptions } from "../types.js";
import { LinkHost, type LinkHostOptions } from "./host.js";
import { LINK_PROTOCOL_VERSION } from "./protocol.js";

export interface LinkedSession {
  session: Session;
  link: LinkHost;
  /** Settles once the link is attached; start the session after it. */
  attached: Promise<void>;
}

/** A new session (not yet started) with its link attaching. */
export function linkedSession(options: SessionOptions, linkOptions: LinkHostOptions): LinkedSession {
  let link: LinkHost | undefined;
  const session = new Session({
    ...options,
    statusExtras: () => ({ ...options.statusExtras?.(), link: { protocol: LINK_PROTOCOL_VERSION, epoch: link?.epoch } }),
  });
  link = new LinkHost(session, linkOptions);
  const attached = link.start();
  session.on("state", (state) => {
    if (state === "stopped") void link.stop();
  });
  return { session, link, attached };
}
