/** How long a claude-action node waits for its flow (the bridge waits this long, plus a margin, for a publish). Imports nothing, so the editor bundles it. */
export const MAX_ACTION_TIMEOUT_SECONDS = 300;
export const DEFAULT_ACTION_TIMEOUT_SECONDS = 30;
