// Herald's browser and Node client. Dependency-free ES module; see index.d.ts for the API and README.md for use.
export { HeraldClient, DEFAULTS } from './client.js';
export { Subscription, Message } from './subscription.js';
export { State, Transport, ResetReason, SwitchReason, ErrorCode, HeraldError } from './codes.js';
export { Backoff } from './internal/backoff.js';

import { HeraldClient } from './client.js';

/** `connect(url, options)`: a new client, already connecting. */
export function connect(url, options) {
  return new HeraldClient(url, options).connect();
}
