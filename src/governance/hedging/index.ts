/** Hedging (gRPC's hedgingPolicy, Kitex's backup request) for unary and ping-pong calls. */
export type { HedgingPolicy } from './options.js';
export { hedge, HEDGE_LOST, type HedgeAttempt, type HedgeRules } from './hedge.js';
