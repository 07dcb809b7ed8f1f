#!/usr/bin/env node
/**
 * claude-channel-bridge: the MCP server Claude Code starts on stdio. Reads the
 * configuration (environment and `<stateDir>/.env`), picks where the session is
 * hosted, serves the tools and the channel, and shuts down with Claude Code.
 * stdout is the MCP stream: everything else goes to stderr.
 */
import { homedir } from "node:os";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { packageVersion } from "../session/package-version.js";
import { BackendUnavailableError } from "./backend.js";
import { chooseBackend } from "./choose-backend.js";
import { loadConfig, StartupError } from "./config.js";
import { buildInstructions } from "./instructions.js";
import { shutdownOnce, shutdownWithParent } from "./lifecycle.js";
import { collapseRepeats, stderrLogger, type Logger } from "./log.js";
import { createBridge } from "./server.js";

let log: Logger = stderrLogger();

async function main(): Promise<void> {
  const config = loadConfig({ env: process.env, homeDir: homedir(), log });
  const { settings } = config;
  log = collapseRepeats(stderrLogger(settings.sessionName));
  const version = packageVersion(__dirname);
  const backend = await chooseBackend(config, version, log);
  const mode = backend.describe();
  log("info", `mode: ${mode.mode} (${mode.reason})`);
  const permissionRelay = await backend.approver();
  log("info", permissionRelay ? "permission prompts are relayed to the approver" : "permission prompts stay in the terminal (no authenticated approver)");
  const bridge = createBridge({
    backend,
    permissionRelay,
    version,
    instructions: buildInstructions({
      session: settings.sessionName,
      prefix: settings.topicPrefix,
      ...(mode.mode === "bridge" ? { permissions: { allow: settings.publishAllow, deny: settings.publishDeny } } : {}),
    }),
    log,
  });
  const shutdown = shutdownOnce({
    stop: async () => {
      await backend.stop();
      await bridge.close();
    },
    exit: (code) => process.exit(code),
    log,
  });
  shutdownWithParent(shutdown, log);

  await backend.start();
  await bridge.connect(new StdioServerTransport());
  log("info", `MCP ready — session "${settings.sessionName}" (prefix: ${settings.topicPrefix})`);
}

process.on("unhandledRejection", (reason) => {
  log("error", `unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});
process.on("uncaughtException", (err) => {
  // No offline status here: the Last Will tells the broker the session is gone.
  log("error", `uncaught exception: ${err.stack ?? err.message}`);
  process.exit(1);
});

main().catch((err: unknown) => {
  if (err instanceof StartupError || err instanceof BackendUnavailableError) {
    const lines = err instanceof StartupError ? err.lines : [err.message];
    for (const line of lines) log("error", line);
  } else {
    log("error", `cannot start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  process.exit(1);
});
