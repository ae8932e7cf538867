/** Circuit breakers per method and per instance. */
export type { CircuitBreakerOptions } from './options.js';
export { CircuitBreaker, type BreakerState, type BreakerSettings } from './breaker.js';
export { CircuitBreakers, type Admission } from './breakers.js';
