/**
 * A gRPC call with retries (grpc/proposal A6), in the shape the stream classes
 * drive: requests are kept while the call is not committed and replayed on each
 * new attempt; the call commits once the response started (headers or a
 * message arrived), when its requests outgrow the retry buffer, or when it ends.
 * A committed call is never retried.
 */
import { Code } from '../../errors/status-code.js';
import { RpcError, type Metadata } from '../../errors/rpc-error.js';
import { backoffDelay, parsePushback, type Backoff } from './backoff.js';
import type { RetryBuffer } from './retry-buffer.js';
import type { RetryThrottle } from './throttle.js';
import type { RetryCause } from '../attempt-info.js';
import { abortedError, sleep } from './sleep.js';

/**
 * One attempt as the transport runs it (the generic client's TransportCall shape), with its
 * final status and the commit signal.
 */
export interface RetryableCall {
  send(message: Uint8Array): Promise<void>;
  closeSend(): void;
  recv(): Promise<Uint8Array | undefined>;
  readonly headers: Promise<Metadata>;
  readonly trailers: Promise<Metadata>;
  /** Response headers and trailers, read once the call has ended. */
  endedHeaders(): Metadata;
  endedTrailers(): Metadata;
  cancel(reason?: string): void;
  /** Final status; always resolves. */
  readonly status: Promise<{ code: number; message: string }>;
  /** True once response headers (not a trailers-only answer) or a message arrived: the call is committed. */
  readonly responseStarted: boolean;
}

/** How a gRPC call is retried. */
export interface GrpcRetryRules {
  maxAttempts: number;
  backoff: Backoff;
  retryable: ReadonlySet<number>;
  throttle: RetryThrottle | undefined;
  buffer: RetryBuffer;
  signal: AbortSignal | undefined;
  /** performance.now() at which the call's deadline passes. */
  deadlineAt: number | undefined;
}

/**
 * Starts attempt `n` (0-based; `cause` for retries); throwing means no attempt could start
 * (the call is not retried further).
 */
export type StartAttempt = (n: number, cause?: RetryCause) => RetryableCall;

interface Attempt {
  readonly call: RetryableCall;
  /** The attempt that replaces this one, or undefined when this one is final. */
  readonly next: Promise<Attempt | undefined>;
}

/** A call that retries under gRPC's retryPolicy (see the module comment). */
export class RetryingCall {
  private current: Attempt;
  private started = 1;
  private committed = false;
  /** Requests to replay, while not committed. */
  private buffer: Uint8Array[] = [];
  private bufferedBytes = 0;
  private halfClosed = false;
  /** An attempt ended and the next is being decided (or waited for). */
  private deciding = false;
  private retriesSincePushback = 0;
  private cancelledWith: RpcError | undefined;
  /** Ends a backoff wait early when the call is cancelled. */
  private waker: AbortController | undefined;

  constructor(
    private readonly rules: GrpcRetryRules,
    private readonly start: StartAttempt,
  ) {
    this.current = this.begin(start(0));
  }

  send(message: Uint8Array): Promise<void> {
    if (!this.committed) {
      if (this.deciding) return this.current.next.then(() => this.send(message));
      if (this.current.call.responseStarted || !this.rules.buffer.take(this.bufferedBytes, message.length)) this.commit();
      else {
        this.buffer.push(message);
        this.bufferedBytes += message.length;
      }
    }
    const a = this.current;
    if (this.committed) return a.call.send(message);
    // A failed attempt that is retried replays this message: the send succeeded as far as the caller goes.
    return a.call.send(message).catch((e: unknown) =>
      a.next.then((next) => {
        if (next === undefined) throw this.cancelledWith ?? e;
      }),
    );
  }

  closeSend(): void {
    this.halfClosed = true;
    this.current.call.closeSend();
  }

  async recv(): Promise<Uint8Array | undefined> {
    for (;;) {
      const a = this.current;
      try {
        const m = await a.call.recv();
        if (m !== undefined && !this.committed) this.commit();
        return m;
      } catch (e) {
        const next = await a.next;
        if (next === undefined) throw this.cancelledWith ?? e;
      }
    }
  }

  get headers(): Promise<Metadata> {
    return this.finalHeaders();
  }

  get trailers(): Promise<Metadata> {
    return this.finalTrailers();
  }

  /** The final attempt's, once the call has ended (the attempt that ended it is the final one). */
  endedHeaders(): Metadata {
    return this.current.call.endedHeaders();
  }

  endedTrailers(): Metadata {
    return this.current.call.endedTrailers();
  }

  cancel(reason?: string): void {
    if (this.cancelledWith !== undefined) return;
    this.cancelledWith = new RpcError(Code.CANCELLED, reason ?? 'call cancelled');
    this.current.call.cancel(reason);
    this.waker?.abort();
  }

  private async finalHeaders(): Promise<Metadata> {
    for (;;) {
      const a = this.current;
      const h = await a.call.headers;
      if (a.call.responseStarted || (await a.next) === undefined) return h;
    }
  }

  private async finalTrailers(): Promise<Metadata> {
    for (;;) {
      const a = this.current;
      const t = await a.call.trailers;
      if ((await a.next) === undefined) return t;
    }
  }

  private begin(call: RetryableCall): Attempt {
    let decide!: (next: Attempt | undefined) => void;
    const a: Attempt = { call, next: new Promise((r) => (decide = r)) };
    void call.status.then((st) => this.ended(a, st, decide));
    return a;
  }

  /** The call commits: this attempt is the last; the buffered requests are let go. */
  private commit(): void {
    if (this.committed) return;
    this.committed = true;
    this.rules.buffer.release(this.bufferedBytes);
    this.buffer = [];
    this.bufferedBytes = 0;
  }

  /** An attempt ended: decide whether another replaces it, wait its backoff, start it and replay the requests. */
  private async ended(a: Attempt, st: { code: number; message: string }, decide: (next: Attempt | undefined) => void): Promise<void> {
    const rules = this.rules;
    if (st.code === Code.OK) {
      rules.throttle?.success();
      this.commit();
      return decide(undefined);
    }
    this.deciding = true;
    const next = await this.retry(a, st);
    this.deciding = false;
    if (next === undefined) this.commit();
    else this.current = next;
    decide(next);
  }

  private async retry(a: Attempt, st: { code: number; message: string }): Promise<Attempt | undefined> {
    const rules = this.rules;
    const retryable = rules.retryable.has(st.code);
    const pushback = parsePushback((await a.call.trailers)['grpc-retry-pushback-ms']);
    if (retryable || pushback === 'stop') rules.throttle?.failure();
    if (!retryable || pushback === 'stop' || this.committed || a.call.responseStarted || this.cancelledWith) return undefined;
    if (this.started >= rules.maxAttempts || rules.signal?.aborted || (rules.throttle && !rules.throttle.allows)) return undefined;
    let delay: number;
    if (pushback !== undefined) {
      delay = pushback;
      this.retriesSincePushback = 0;
    } else {
      delay = backoffDelay(rules.backoff, ++this.retriesSincePushback);
    }
    if (rules.deadlineAt !== undefined && performance.now() + delay >= rules.deadlineAt) return undefined;
    if (!(await this.wait(delay))) {
      if (rules.signal?.aborted) this.cancelledWith ??= abortedError(rules.signal);
      return undefined;
    }
    if (this.cancelledWith) return undefined;
    let call: RetryableCall;
    try {
      call = this.start(this.started, { after: st, delayMs: delay });
    } catch {
      return undefined; // no instance, an open breaker: the failure that came last stands
    }
    this.started++;
    for (const m of this.buffer) call.send(m).catch(noop); // its failure ends the attempt, seen through status
    if (this.halfClosed) call.closeSend();
    return this.begin(call);
  }

  /** Waits the backoff; false when the call was cancelled or aborted meanwhile. */
  private wait(ms: number): Promise<boolean> {
    const waker = (this.waker ??= new AbortController());
    const user = this.rules.signal;
    return sleep(ms, user ? AbortSignal.any([user, waker.signal]) : waker.signal);
  }
}

function noop(): void {}
