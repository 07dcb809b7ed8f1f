/** The notification the relay writes once it is subscribed, before any message. */
export const RELAY_READY = "notifications/relay/ready";
