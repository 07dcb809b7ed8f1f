/** claude-permission's properties (public: flows in the wild use these names). */
import { configNode, label } from "../shared/props.js";
import { SESSION_NODE_TYPE } from "../shared/types.js";

export const PERMISSION_PROPS = {
  name: label(),
  session: configNode(SESSION_NODE_TYPE, true),
};
