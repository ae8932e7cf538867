import { armTimer } from '../timers/index.js';

/** Why a {@link ConnectionTimer} gave up on its connection. */
export type ExpiryReason = 'handshake' | 'idle';

/**
 * One connection's clock: first the handshake budget (from accept until the
 * transport calls {@link handshakeDone}), then idleness (no call in flight
 * for `idleTimeoutMs`). One timer at a time; calls only move counters and a
 * timestamp, and the idle timer re-checks them when it fires, so a busy
 * connection costs no timer work per call.
 */
export class ConnectionTimer {
  /** What to do when time is up; the transport that owns the connection may replace it (e.g. GOAWAY for HTTP/2). */
  onExpire: (reason: ExpiryReason) => void;
  private timer: NodeJS.Timeout | undefined;
  private handshaking = true;
  private stopped = false;
  private inFlight = 0;
  private idleSince = 0;

  constructor(
    private readonly limits: { readonly idleTimeoutMs: number; readonly handshakeTimeoutMs: number },
    onExpire: (reason: ExpiryReason) => void,
  ) {
    this.onExpire = onExpire;
    if (limits.handshakeTimeoutMs > 0) this.arm(limits.handshakeTimeoutMs);
  }

  /** True until the transport saw its first whole frame (or HTTP/2 SETTINGS). */
  get inHandshake(): boolean {
    return this.handshaking;
  }

  /** The connection proved itself: the handshake budget ends and idle time starts counting. */
  handshakeDone(): void {
    if (!this.handshaking || this.stopped) return;
    this.handshaking = false;
    this.clear();
    this.idleSince = Date.now();
    if (this.limits.idleTimeoutMs > 0) this.arm(this.limits.idleTimeoutMs);
  }

  /** A call started (an idle connection is one with none). */
  callStarted(): void {
    this.inFlight++;
  }

  /** A call ended. */
  callEnded(): void {
    if (--this.inFlight === 0) this.idleSince = Date.now();
  }

  /** Stops the clock for good (the connection closed). */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private arm(ms: number): void {
    this.timer = armTimer(ms, fire, this);
    this.timer?.unref();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** @internal */
  fired(): void {
    this.timer = undefined;
    if (this.stopped) return;
    if (this.handshaking) return this.expire('handshake');
    const idle = this.limits.idleTimeoutMs;
    const left = this.inFlight > 0 ? idle : this.idleSince + idle - Date.now();
    if (left > 0) this.arm(left);
    else this.expire('idle');
  }

  private expire(reason: ExpiryReason): void {
    this.stop();
    this.onExpire(reason);
  }
}

function fire(t: ConnectionTimer): void {
  t.fired();
}

const TIMER = Symbol('idlcall.connectionTimer');

/**
 * Leaves a connection's timer on its socket for the transport that takes the
 * socket over (the HTTP/2 server finds it through `session.socket`), so the
 * handshake budget is one budget from accept on.
 */
export function handOverTimer(socket: object, timer: ConnectionTimer): void {
  (socket as { [TIMER]?: ConnectionTimer })[TIMER] = timer;
}

/** The timer left by {@link handOverTimer}, if any. */
export function handedOverTimer(socket: object): ConnectionTimer | undefined {
  return (socket as { [TIMER]?: ConnectionTimer })[TIMER];
}
