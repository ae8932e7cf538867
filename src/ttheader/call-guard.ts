/**
 * Ends a call early: on its timeout or its caller's AbortSignal. Stages of the
 * call (waiting for a connection, waiting for the reply) subscribe to it; one
 * timer per call, cleared when the call settles, so nothing leaks.
 */
import { RpcError, Code } from '../errors/index.js';
import { armTimer } from '../timers/index.js';

/** Cancellation source for one call. */
export class CallGuard {
  /** Why the call was ended, once it was. */
  reason: RpcError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private listener: ((err: RpcError) => void) | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.fire(new RpcError(Code.CANCELLED, 'call cancelled', { cause: this.signal?.reason }));

  constructor(
    private readonly timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ) {
    this.signal = signal;
    if (signal) {
      if (signal.aborted) {
        this.reason = new RpcError(Code.CANCELLED, 'call cancelled', { cause: signal.reason });
        return;
      }
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
    // A deadline past what Node can arm (~24.8 days) is no local deadline, as in grpc-js.
    if (timeoutMs !== undefined && timeoutMs > 0) this.timer = armTimer(timeoutMs, timedOut, this);
  }

  /** Sets the single current listener (the stage the call is in); replaces any previous one. */
  listen(cb: ((err: RpcError) => void) | undefined): void {
    this.listener = cb;
  }

  /** @internal */
  timedOut(): void {
    this.timer = undefined;
    this.fire(new RpcError(Code.DEADLINE_EXCEEDED, `call timed out after ${this.timeoutMs} ms`));
  }

  private fire(err: RpcError): void {
    if (this.reason) return;
    this.reason = err;
    this.dispose();
    this.listener?.(err);
  }

  /** Clears the timer and the abort listener. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

function timedOut(guard: CallGuard): void {
  guard.timedOut();
}
