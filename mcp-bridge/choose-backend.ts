/**
 * Picks where the session lives (SESSION_HOST) and builds the backend for it.
 *
 * - `bridge`: this process hosts the session, exactly as claude-code-mqtt does.
 * - `flow`: a Node-RED `claude-session` node hosts it; needs SESSION_LINK_KEY.
 * - `auto`: flow when the session's retained status says it is online and hosted by
 *   a flow (read within a couple of seconds of connecting), otherwise bridge; after that
 *   the session follows the flow (auto-backend.ts).
 */
import { Session } from "../session/session.js";
import { LinkClient } from "../session/link/client.js";
import type { ReceivedStatus } from "../session/status.js";
import { AutoBackend, flowHosts } from "./auto-backend.js";
import { BackendUnavailableError, type ModeChoice, type SessionBackend } from "./backend.js";
import { brokerOptions, type BridgeConfig } from "./config.js";
import { FlowBackend } from "./flow-backend.js";
import { LocalBackend, localSessionOptions } from "./local-backend.js";
import type { Logger } from "./log.js";

const AUTO_STATUS_WAIT_MS = 2500;

function linkClient(config: BridgeConfig, key: string): LinkClient {
  const s = config.settings;
  return new LinkClient({
    ...brokerOptions(config),
    prefix: s.topicPrefix,
    name: s.sessionName,
    key,
  });
}

function describeStatus(status: ReceivedStatus | undefined): string {
  if (!status) return "no retained status";
  return `status ${status.status}${status.host ? `, hosted by ${status.host}` : ""}`;
}

export async function chooseBackend(config: BridgeConfig, version: string, log: Logger): Promise<SessionBackend> {
  const s = config.settings;
  const local = (mode: ModeChoice): LocalBackend =>
    new LocalBackend(new Session(localSessionOptions(config, version)), mode, log, s.approverKey);

  if (s.sessionHost === "bridge") {
    return local({ mode: "bridge", reason: "SESSION_HOST=bridge: this bridge hosts the session itself" });
  }
  if (!s.linkKey) {
    if (s.sessionHost === "flow") {
      throw new BackendUnavailableError(
        "SESSION_HOST=flow needs SESSION_LINK_KEY: copy the .env lines shown in the claude-session node's editor (Security tab) into the .env file",
      );
    }
    return local({ mode: "bridge", reason: "SESSION_HOST=auto and no SESSION_LINK_KEY is set, so this bridge hosts the session itself" });
  }

  const link = linkClient(config, s.linkKey);
  link.start();
  if (s.sessionHost === "flow") {
    return new FlowBackend(link, { mode: "flow", reason: "SESSION_HOST=flow: the session is hosted by a Node-RED flow" }, s.requestTimeoutSeconds, log);
  }
  const status = await link.waitForStatus(AUTO_STATUS_WAIT_MS);
  const initial: ModeChoice = flowHosts(status)
    ? { mode: "flow", reason: `SESSION_HOST=auto: session "${s.sessionName}" is online and hosted by a Node-RED flow (its retained status)` }
    : {
        mode: "bridge",
        reason: `SESSION_HOST=auto: no flow hosts session "${s.sessionName}" (${describeStatus(status)} within ${AUTO_STATUS_WAIT_MS / 1000}s), so this bridge hosts it until one comes online`,
      };
  return new AutoBackend({
    link,
    flow: new FlowBackend(link, initial, s.requestTimeoutSeconds, log),
    local,
    initial,
    sessionName: s.sessionName,
    takebackSeconds: s.takebackSeconds,
    log,
  });
}
