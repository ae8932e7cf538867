/**
 * Connections to one address: reuse idle ones (most recently used first),
 * open more up to a limit, queue callers beyond it. A broken connection is
 * forgotten at once and never handed out again.
 */
import { RpcError } from '../errors/index.js';
import { connect, type Connection, type ConnectOptions } from './connection.js';
import type { CallGuard } from './call-guard.js';
import { unavailable } from '../frame/errors.js';

/** How long an idle connection may keep the event loop alive before it is unreferenced. */
const UNREF_IDLE_AFTER_MS = 5;

/** Options for {@link HostPool}. */
export interface HostPoolOptions extends ConnectOptions {
  maxConnections: number;
  /** Idle connections are closed after this long; 0 keeps them. */
  idleTimeoutMs: number;
  /**
   * Told when a connection opens (`ready`), when opening one fails (`failed`), and when the
   * last open connection closes (`closed`).
   */
  onConnectionState?: (state: 'ready' | 'failed' | 'closed') => void;
  /** Called when the pool holds nothing: no connection open or opening, no caller waiting. */
  onEmpty?: () => void;
}

interface Waiter {
  resolve(c: Connection): void;
  reject(e: RpcError): void;
  guard: CallGuard | undefined;
}

/** The pool for one host:port. */
export class HostPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private opening = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;
  /** Why new requests are refused once closed. */
  private closedReason = 'client is closed';
  /** Pending sweep that unreferences idle sockets (see {@link release}). */
  private unrefTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: HostPoolOptions) {}

  /** Open connections (idle + busy) plus those being opened. */
  get size(): number {
    return this.all.size + this.opening;
  }

  /** Idle connections. */
  get idleCount(): number {
    return this.idle.length;
  }

  /** An idle connection, now lent out, or undefined (then {@link acquire}). */
  takeIdle(): Connection | undefined {
    if (this.closed) return undefined;
    while (this.idle.length > 0) {
      const c = this.idle.pop()!;
      if (c.broken) continue;
      this.activate(c);
      return c;
    }
    return undefined;
  }

  /** A connection for one request; give it back with {@link release}. */
  acquire(guard?: CallGuard): Promise<Connection> {
    if (this.closed) return Promise.reject(unavailable(this.closedReason));
    const idle = this.takeIdle();
    if (idle !== undefined) return Promise.resolve(idle);
    if (this.size < this.opts.maxConnections) return this.open(guard);
    return new Promise<Connection>((resolve, reject) => {
      const w: Waiter = { resolve, reject, guard };
      this.waiters.push(w);
      guard?.listen((err) => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(err);
      });
    });
  }

  private open(guard: CallGuard | undefined): Promise<Connection> {
    this.opening++;
    return new Promise<Connection>((resolve, reject) => {
      let settled = false;
      guard?.listen((err) => {
        settled = true;
        reject(err);
      });
      connect(this.opts).then(
        (c) => {
          this.opening--;
          this.adopt(c);
          this.opts.onConnectionState?.('ready');
          if (settled || this.closed) {
            // the caller gave up meanwhile: keep the fresh connection for others
            this.release(c);
            return;
          }
          settled = true;
          resolve(c);
        },
        (e: RpcError) => {
          this.opening--;
          if (!this.closed) this.opts.onConnectionState?.('failed');
          if (!settled) {
            settled = true;
            reject(e);
          }
          this.serveWaiters();
          this.checkEmpty();
        },
      );
    });
  }

  private adopt(c: Connection): void {
    this.all.add(c);
    c.onBroken = (conn) => {
      this.all.delete(conn);
      const i = this.idle.indexOf(conn);
      if (i >= 0) this.idle.splice(i, 1);
      if (this.all.size === 0 && !this.closed) this.opts.onConnectionState?.('closed');
      this.serveWaiters();
      this.checkEmpty();
    };
  }

  private activate(c: Connection): void {
    c.idleSince = -1;
    if (!c.referenced) {
      c.socket.ref();
      c.referenced = true;
    }
  }

  /** Returns a connection after its request finished (broken ones are dropped). */
  release(c: Connection): void {
    if (c.broken) return;
    if (this.closed) {
      c.fail(unavailable('client is closed'));
      return;
    }
    const w = this.waiters.shift();
    if (w) {
      w.guard?.listen(undefined);
      w.resolve(c);
      return;
    }
    // Idle sockets must not keep the process alive, but a connection reused at once would
    // pay two native calls per request to unreference and reference it again: a sweep
    // shortly after lets go of the ones still idle by then.
    if (c.referenced && this.unrefTimer === undefined) {
      this.unrefTimer = setTimeout(() => this.unreferenceIdle(), UNREF_IDLE_AFTER_MS);
      this.unrefTimer.unref();
    }
    if (this.opts.idleTimeoutMs > 0) {
      c.idleSince = Date.now();
      // One timer per idle stretch, not one per call: it re-checks when it fires.
      if (c.idleTimer === undefined) this.armIdleTimer(c, this.opts.idleTimeoutMs);
    }
    this.idle.push(c);
  }

  private unreferenceIdle(): void {
    this.unrefTimer = undefined;
    for (const c of this.idle) {
      if (c.referenced) {
        c.socket.unref();
        c.referenced = false;
      }
    }
  }

  private armIdleTimer(c: Connection, ms: number): void {
    c.idleTimer = setTimeout(() => {
      c.idleTimer = undefined;
      if (c.broken || c.idleSince < 0) return; // busy: its next release arms a new timer
      const left = c.idleSince + this.opts.idleTimeoutMs - Date.now();
      if (left > 0) this.armIdleTimer(c, left);
      else c.fail(unavailable('idle timeout'));
    }, ms);
    c.idleTimer.unref();
  }

  /** After a slot frees up, open a connection for the first waiter. */
  private serveWaiters(): void {
    if (this.closed) return;
    while (this.waiters.length > 0 && this.size < this.opts.maxConnections) {
      const w = this.waiters.shift()!;
      this.open(w.guard).then(w.resolve, w.reject);
    }
  }

  private checkEmpty(): void {
    if (this.size === 0 && this.waiters.length === 0) this.opts.onEmpty?.();
  }

  /**
   * Winds the pool down gently (its address left): idle connections close now, busy ones when
   * their request is done, waiting callers reject with UNAVAILABLE (nothing was sent for them).
   */
  drain(): void {
    this.closed = true;
    this.closedReason = 'the address left';
    clearTimeout(this.unrefTimer);
    this.unrefTimer = undefined;
    const err = unavailable('the address left');
    for (const w of this.waiters.splice(0)) w.reject(err);
    for (const c of this.idle.splice(0)) c.fail(err);
  }

  /** Closes every connection; waiting callers reject. */
  close(): void {
    this.closed = true;
    clearTimeout(this.unrefTimer);
    this.unrefTimer = undefined;
    const err = unavailable('client is closed');
    for (const w of this.waiters.splice(0)) w.reject(err);
    for (const c of [...this.all]) c.fail(err);
    this.idle.length = 0;
  }
}
