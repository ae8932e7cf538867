import { UsageError } from '../errors/usage-error.js';
import type { Call, CallHandler, CallResult, Middleware, StreamResult, UnaryResult } from './middleware.js';

/**
 * Wraps `endpoint` in `middlewares`, the first outermost (it sees the call first and the
 * result last). Done once per client or server, not per call.
 */
export function compose(middlewares: readonly Middleware[], endpoint: CallHandler): CallHandler {
  let handler = endpoint;
  for (let i = middlewares.length - 1; i >= 0; i--) {
    const mw = middlewares[i]!;
    if (typeof mw !== 'function') throw new UsageError(`middlewares[${i}] is not a function`);
    handler = mw(handler);
    if (typeof handler !== 'function') throw new UsageError(`middlewares[${i}] did not return a function of the call`);
  }
  return handler;
}

/**
 * The chain's result for `call`, checked to be of the call's kind, so that a middleware that
 * answers a stream with a unary result fails with a clear error rather than later.
 */
export function resultOf(call: Call & { stream: false }, result: CallResult): UnaryResult;
export function resultOf(call: Call & { stream: true }, result: CallResult): StreamResult;
export function resultOf(call: Call, result: CallResult): CallResult {
  if (result?.stream === call.stream) return result;
  throw new UsageError(
    `a middleware answered the ${call.stream ? 'streaming' : 'unary'} call ${call.method} with ${result === undefined ? 'nothing' : `a ${result.stream ? 'streaming' : 'unary'} result`}`,
  );
}
