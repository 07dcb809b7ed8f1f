/**
 * The Node-RED the tests run: the devDependency, or the package directory `NODE_RED_DIR`
 * names (`npm run test:node-red-5` points it at a Node-RED 5.x, run on Node 22).
 */
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

export const NODE_RED_DIR = process.env.NODE_RED_DIR
  ? resolve(process.env.NODE_RED_DIR)
  : dirname(require.resolve("node-red/package.json"));

/** The `node-red` command's script. */
export const RED_JS = join(NODE_RED_DIR, "red.js");

/** The runtime's entry module, as node-red-node-test-helper and embedders load it. */
export const RED_MAIN = require.resolve(NODE_RED_DIR);

/** `require` as seen from that Node-RED, for its own packages (`@node-red/nodes/...`). */
export const requireFromNodeRed = createRequire(join(NODE_RED_DIR, "package.json"));
