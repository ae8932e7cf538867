import { UsageError } from '../errors/usage-error.js';
import type { Call, CallHandler, CallResult, Middleware } from './middleware.js';

/**
 * Wraps `endpoint` in `middlewares`, the first outermost (it sees the call first and the
 * result last). Done once per client or server, not per call. The chain checks that each
 * call gets a result of its own kind, so a middleware that answers a stream with a unary
 * result fails with a clear error rather than later.
 */
export function compose(middlewares: readonly Middleware[], endpoint: CallHandler): CallHandler {
  let handler = endpoint;
  for (let i = middlewares.length - 1; i >= 0; i--) {
    const mw = middlewares[i]!;
    if (typeof mw !== 'function') throw new UsageError(`middlewares[${i}] is not a function`);
    handler = mw(handler);
    if (typeof handler !== 'function') throw new UsageError(`middlewares[${i}] did not return a function of the call`);
  }
  return checked(handler);
}

function checked(handler: CallHandler): CallHandler {
  return async (call: Call): Promise<CallResult> => {
    const result = await handler(call);
    if (result?.stream !== call.stream) {
      throw new UsageError(
        `a middleware answered the ${call.stream ? 'streaming' : 'unary'} call ${call.method} with ${result === undefined ? 'nothing' : `a ${result.stream ? 'streaming' : 'unary'} result`}`,
      );
    }
    return result;
  };
}
