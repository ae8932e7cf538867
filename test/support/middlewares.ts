/** Middlewares the governance tests share: one that rewrites messages, one that records how calls ended. */
import { Code, RpcError, type Call, type CallResult, type Middleware } from '../../src/index.js';

/** Every request through `request` on its way out, every response through `response` on its way back, message by message. */
export function rewriting(request: (m: unknown) => unknown, response: (m: unknown) => unknown): Middleware {
  return (next) => async (call) => {
    if (!call.stream) {
      const res = await next({ ...call, request: request(call.request) });
      return res.stream ? res : { ...res, response: response(res.response) };
    }
    const requests = call.requests;
    const res = await next({
      ...call,
      requests: (async function* () {
        for await (const r of requests) yield request(r);
      })(),
    });
    if (!res.stream) return res;
    const responses = res.responses;
    return {
      ...res,
      responses: (async function* () {
        for await (const r of responses) yield response(r);
      })(),
    };
  };
}

/** Calls `record` with each call and its final status code (OK, or the error's code; UNKNOWN for other errors). */
export function recordingStatus(record: (call: Call, code: number, result?: CallResult) => void): Middleware {
  const codeOf = (e: unknown): number => (e instanceof RpcError ? e.code : Code.UNKNOWN);
  return (next) => async (call) => {
    let res: CallResult;
    try {
      res = await next(call);
    } catch (e) {
      record(call, codeOf(e));
      throw e;
    }
    if (!res.stream) {
      record(call, Code.OK, res);
      return res;
    }
    const responses = res.responses;
    return {
      ...res,
      responses: (async function* () {
        try {
          yield* responses;
          record(call, Code.OK, res);
        } catch (e) {
          record(call, codeOf(e));
          throw e;
        }
      })(),
    };
  };
}
