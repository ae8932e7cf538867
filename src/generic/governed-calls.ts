/**
 * Calls under a client's policies (`retry`, `hedging`, `circuitBreaker`, `methodConfig`):
 * gRPC calls retried under gRPC's retryPolicy or hedged, ping-pong calls under Kitex's
 * failure retry or backup requests, every attempt through the breakers and routed past
 * the instances earlier attempts went to.
 */
import { Code } from '../errors/status-code.js';
import { RpcError } from '../errors/rpc-error.js';
import type { ClientCall } from '../http2/index.js';
import type { PingPongReply } from '../ttheader/index.js';
import { RetryingCall, failureRetry } from '../governance/retry/index.js';
import { hedge, type HedgeAttempt } from '../governance/hedging/index.js';
import type { Admission } from '../governance/circuit-breaker/index.js';
import type { AttemptInfo, RetryCause } from '../governance/attempt-info.js';
import type { MethodCodec } from './method-codec.js';
import type { CallOptions, ClientOptions } from './options.js';
import { receiveSingle } from './streams.js';
import type { CallPlan, ClientGovernance } from './governance.js';
import type { CallRoutes } from './call-routes.js';
import type { ClientTransports } from './client-transports.js';

/** A client's governed calls (see the module comment). */
export class GovernedCalls {
  constructor(
    private readonly governance: ClientGovernance,
    private readonly options: ClientOptions,
    private readonly routes: CallRoutes,
    private readonly transports: ClientTransports,
  ) {}

  /**
   * A gRPC call under the client's policies: with a retry policy, a {@link RetryingCall}
   * whose attempts each pass the breakers and go to another instance when there is one;
   * otherwise a single attempt through the breakers.
   */
  openGrpc<Req, Res>(codec: MethodCodec<Req, Res>, opts: CallOptions, plan: CallPlan): ClientCall | RetryingCall {
    const timeoutMs = opts.timeoutMs ?? plan.timeoutMs ?? this.options.timeoutMs;
    const deadlineAt = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    const tried = new Set<string>();
    const onAttempt = this.attemptListener(opts, plan);
    const start = (n: number, cause?: RetryCause): ClientCall => this.grpcAttempt(codec, opts, tried, deadlineAt, n, onAttempt, cause);
    const r = plan.retry;
    if (r === undefined) return start(0);
    const gov = this.governance;
    const rules = { ...r, throttle: gov.throttle, buffer: gov.buffer, signal: opts.signal, deadlineAt };
    return new RetryingCall(rules, start);
  }

  /** Unary gRPC hedging: attempts on a timer, the first answer wins, the others get RST_STREAM(CANCEL). */
  hedgedUnary<Req, Res>(codec: MethodCodec<Req, Res>, bytes: Uint8Array, opts: CallOptions, plan: CallPlan): Promise<{ call: ClientCall; res: Res }> {
    const timeoutMs = opts.timeoutMs ?? plan.timeoutMs ?? this.options.timeoutMs;
    const deadlineAt = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    const tried = new Set<string>();
    const onAttempt = this.attemptListener(opts, plan);
    return hedge({ ...plan.hedging!, throttle: this.governance.throttle }, (n) => {
      const call = this.grpcAttempt(codec, opts, tried, deadlineAt, n, onAttempt, undefined);
      call.send(bytes).catch(noop);
      call.closeSend();
      const result = receiveSingle(call, codec).then((res) => ({ call, res }));
      return { result, cancel: (reason) => call.cancel(reason) };
    });
  }

  /**
   * A ping-pong call under the client's policies: Kitex's failure retry (each attempt has the
   * whole timeout), or backup requests (hedging: the deadline covers all; a losing attempt's
   * connection is closed), every attempt through the breakers.
   */
  pingPong<Req, Res>(codec: MethodCodec<Req, Res>, body: Uint8Array, opts: CallOptions, plan: CallPlan): Promise<PingPongReply | undefined> {
    const gov = this.governance;
    const method = codec.name;
    const timeoutMs = opts.timeoutMs ?? plan.timeoutMs ?? this.options.timeoutMs;
    const tried = new Set<string>();
    const onAttempt = this.attemptListener(opts, plan);
    const attempt = (n: number, cause: RetryCause | undefined, timeout: number | undefined, signal: AbortSignal | undefined): Promise<PingPongReply | undefined> => {
      const now = performance.now();
      const route = this.routes.governedRoute(method, opts, tried, now);
      const admission = this.admit(method, route.hostPort, now);
      if (admission === undefined) {
        onAttempt?.(attemptInfo(n, route.hostPort, cause, plan.hedging !== undefined));
        return this.transports.pingPongAttempt(codec, body, opts, route, timeout, signal);
      }
      const breakers = gov.breakers!;
      let p: Promise<PingPongReply | undefined>;
      try {
        onAttempt?.(attemptInfo(n, route.hostPort, cause, plan.hedging !== undefined));
        p = this.transports.pingPongAttempt(codec, body, opts, route, timeout, signal);
      } catch (e) {
        breakers.abandon(admission); // nothing went out: no verdict on the instance
        throw e;
      }
      return p.then(
        (r) => (breakers.record(admission, Code.OK, performance.now()), r),
        (e: unknown) => {
          breakers.record(admission, e instanceof RpcError ? e.code : Code.UNKNOWN, performance.now());
          throw e;
        },
      );
    };
    const h = plan.hedging;
    if (h !== undefined) {
      const deadlineAt = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
      const holdBack = (): string | undefined => gov.ratio.check(method, h.maxRetryRatio, performance.now());
      return hedge({ ...h, throttle: gov.throttle, holdBack }, (n): HedgeAttempt<PingPongReply | undefined> => {
        const now = performance.now();
        gov.ratio.record(method, n > 0, now);
        const own = new AbortController();
        const signal = opts.signal ? AbortSignal.any([opts.signal, own.signal]) : own.signal;
        const result = attempt(n, undefined, deadlineAt === undefined ? undefined : deadlineAt - now, signal);
        return { result, cancel: (reason) => own.abort(new RpcError(Code.CANCELLED, reason)) };
      });
    }
    const r = plan.retry;
    if (r === undefined) return attempt(0, undefined, timeoutMs, opts.signal);
    const rules = { ...r, method, ratio: { limit: gov.ratio, maxRatio: r.maxRetryRatio }, throttle: gov.throttle, signal: opts.signal };
    return failureRetry(rules, (n, cause) => attempt(n, cause, timeoutMs, opts.signal));
  }

  /** One attempt of a governed gRPC call: route, breakers, `grpc-previous-rpc-attempts`, the deadline left. */
  private grpcAttempt<Req, Res>(
    codec: MethodCodec<Req, Res>,
    opts: CallOptions,
    tried: Set<string>,
    deadlineAt: number | undefined,
    n: number,
    onAttempt: ((info: AttemptInfo) => void) | undefined,
    cause: RetryCause | undefined,
  ): ClientCall {
    const now = performance.now();
    const route = this.routes.governedRoute(codec.name, opts, tried, now);
    const admission = this.admit(codec.name, route.hostPort, now);
    if (admission === undefined) {
      onAttempt?.(attemptInfo(n, route.hostPort, cause));
      return this.transports.openGrpc(codec, opts, route, deadlineAt === undefined ? undefined : deadlineAt - now, n);
    }
    const breakers = this.governance.breakers!;
    let call: ClientCall;
    try {
      onAttempt?.(attemptInfo(n, route.hostPort, cause));
      call = this.transports.openGrpc(codec, opts, route, deadlineAt === undefined ? undefined : deadlineAt - now, n);
    } catch (e) {
      breakers.abandon(admission); // nothing went out (bad metadata…): no verdict on the instance
      throw e;
    }
    void call.status.then((st) => breakers.record(admission, st.code, performance.now()));
    return call;
  }

  /** Lets an attempt to `hostPort` through the method's and the instance's breakers (throws when the method's is open). */
  private admit(method: string, hostPort: string, now: number): Admission | undefined {
    const b = this.governance.breakers;
    if (b === undefined) return undefined;
    return { method: b.admitMethod(method, now), instance: b.admitInstance(hostPort, now) };
  }

  /** The attempt listener of a call that has a retry or hedging policy. */
  private attemptListener(opts: CallOptions, plan: CallPlan): ((info: AttemptInfo) => void) | undefined {
    return plan.retry || plan.hedging ? (opts.onAttempt ?? this.options.onAttempt) : undefined;
  }
}

/** What `onAttempt` hears of attempt `n` (0-based): a retry when it has a cause, else first or a hedge. */
function attemptInfo(n: number, hostPort: string, cause: RetryCause | undefined, hedged = cause === undefined): AttemptInfo {
  if (n === 0) return { attempt: 1, hostPort, kind: 'first' };
  if (cause !== undefined) return { attempt: n + 1, hostPort, kind: 'retry', after: cause.after, delayMs: cause.delayMs };
  return { attempt: n + 1, hostPort, kind: hedged ? 'hedge' : 'retry' };
}

function noop(): void {}
