/** Retries: gRPC's retryPolicy (A6) for gRPC calls, Kitex's failure retry for ping-pong. */
export type { RetryPolicy, RetryThrottling, RetryBufferLimits } from './options.js';
export { backoffDelay, parsePushback, type Backoff } from './backoff.js';
export { RetryThrottle } from './throttle.js';
export { RetryRatioLimit } from './retry-ratio.js';
export { RetryBuffer } from './retry-buffer.js';
export { RetryingCall, type RetryableCall, type GrpcRetryRules, type StartAttempt } from './retrying-call.js';
export { failureRetry, type FailureRetryRules } from './failure-retry.js';
