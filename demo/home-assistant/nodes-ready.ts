/**
 * Whether the Home Assistant nodes of a `server` config node are ready: connected, and done
 * loading states, services and registries (until then they drop Home Assistant's events).
 * Asked of the Home Assistant nodes' own connection table, which is the same module
 * instance wherever Node-RED runs in this process (the demo, the tests).
 */
interface HomeAssistantConnection {
  websocket: { isConnected: boolean; isAllRegistriesLoaded: boolean };
}

interface HomeAssistantModule {
  homeAssistantConnections: Map<string, HomeAssistantConnection>;
}

export function homeAssistantNodesReady(serverNodeId: string): boolean {
  const { homeAssistantConnections } = require("node-red-contrib-home-assistant-websocket/dist/homeAssistant/index.js") as HomeAssistantModule;
  const websocket = homeAssistantConnections.get(serverNodeId)?.websocket;
  return websocket !== undefined && websocket.isConnected && websocket.isAllRegistriesLoaded;
}
