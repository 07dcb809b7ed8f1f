/** Every fault scenario, in the order `npm run faults` runs them. */
import { brokerRestart } from "./broker-restart.js";
import { bridgeKilled, bridgeFrozen } from "./bridge-death.js";
import { corruptFiles } from "./corrupt-files.js";
import type { Fault } from "./fault.js";
import { fuzzPayloads, fuzzToolCalls } from "./fuzz.js";
import { linkFrames } from "./link-frames.js";
import { linkReplay } from "./link-replay.js";
import { hostileDirectory } from "./hostile-directory.js";
import { sessionFiles } from "./session-files.js";
import { toolOutputs } from "./tool-outputs.js";
import { nodeRedKilled } from "./node-red-kill.js";
import { redeploys } from "./redeploys.js";

export const FAULTS: readonly Fault[] = [brokerRestart, bridgeKilled, bridgeFrozen, fuzzPayloads, fuzzToolCalls, nodeRedKilled, redeploys, linkFrames, linkReplay, hostileDirectory, toolOutputs, corruptFiles, sessionFiles];
