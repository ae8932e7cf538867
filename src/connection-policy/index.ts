/**
 * Connection-level policy every server transport shares: the limits and their
 * defaults, the handshake and idle clock of one connection, the count against
 * `maxConnections`, and read back-pressure. Transports import this; it imports
 * no transport.
 */
export {
  resolveLimits,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  DEFAULT_MAX_PIPELINED_REQUESTS,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  type ConnectionLimits,
  type ConnectionLimitOptions,
} from './limits.js';
export { ConnectionTimer, handOverTimer, handedOverTimer, type ExpiryReason } from './connection-timer.js';
export { ConnectionAdmission } from './admission.js';
export { ReadGate, ReadHold, writable } from './read-gate.js';
