/**
 * Connections to one address: reuse idle ones (most recently used first),
 * open more up to a limit, queue callers beyond it. A broken connection is
 * forgotten at once and never handed out again.
 */
import { RpcError, Code } from '../errors/index.js';
import { armTimer } from '../timers/index.js';
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
  /** No new calls (close() or drain() was called); calls already made may finish until {@link cut}. */
  private closed = false;
  /** Why new requests are refused once closed. */
  private closedReason = 'client is closed';
  /** Everything still running was failed: the pool is dead. */
  private cut = false;
  /** Pending sweep that unreferences idle sockets (see {@link release}). */
  private unrefTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  /** Resolves close() once nothing runs any more. */
  private onDrained: (() => void) | undefined;
  /** Rejecters of the calls waiting for a connection being opened for them. */
  private readonly openers = new Set<(err: RpcError) => void>();

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
      const fail = (err: RpcError): void => {
        if (settled) return;
        settled = true;
        this.openers.delete(fail);
        reject(err);
      };
      this.openers.add(fail);
      guard?.listen(fail);
      connect(this.opts).then(
        (c) => {
          this.opening--;
          this.adopt(c);
          this.opts.onConnectionState?.('ready');
          if (settled) {
            // the caller gave up meanwhile: keep the fresh connection for others
            this.release(c);
            return;
          }
          settled = true;
          this.openers.delete(fail);
          resolve(c);
        },
        (e: RpcError) => {
          this.opening--;
          if (!this.closed) this.opts.onConnectionState?.('failed');
          fail(e);
          this.serveWaiters();
          this.checkEmpty();
          this.checkDrained();
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
      this.checkDrained();
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
    const w = this.cut ? undefined : this.waiters.shift();
    if (w) {
      w.guard?.listen(undefined);
      w.resolve(c);
      return;
    }
    if (this.closed) {
      c.fail(unavailable('client is closed')); // nobody needs it any more
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

  /** After a slot frees up, open a connection for the first waiter (also while closing: it is a call already made). */
  private serveWaiters(): void {
    if (this.cut) return;
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

  /**
   * Refuses new calls at once and closes idle connections; calls already made
   * (in flight or waiting for a connection) get `graceMs` to finish, then fail
   * with CANCELLED. Resolves when nothing runs any more.
   */
  close(graceMs = 0): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearTimeout(this.unrefTimer);
      this.unrefTimer = undefined;
      for (const c of this.idle.splice(0)) c.fail(unavailable('client is closed'));
    }
    if (this.cut || !this.running()) return Promise.resolve();
    const drained = new Promise<void>((resolve) => {
      const before = this.onDrained;
      this.onDrained = () => {
        before?.();
        resolve();
      };
    });
    if (graceMs > 0) {
      if (this.graceTimer === undefined) this.graceTimer = armTimer(graceMs, cutPool, this);
    } else this.cutAll();
    return drained;
  }

  /** Whether calls are still in flight or waiting. */
  private running(): boolean {
    return this.all.size > 0 || this.opening > 0 || this.waiters.length > 0;
  }

  /** @internal After the grace: everything still running fails. */
  cutAll(): void {
    this.cut = true;
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const err = cancelledByClose();
    for (const w of this.waiters.splice(0)) w.reject(err);
    for (const fail of [...this.openers]) fail(err);
    for (const c of [...this.all]) c.fail(err);
    this.idle.length = 0;
    this.checkDrained();
  }

  private checkDrained(): void {
    if (!this.closed || this.onDrained === undefined || (!this.cut && this.running())) return;
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const done = this.onDrained;
    this.onDrained = undefined;
    done();
  }
}

function cancelledByClose(): RpcError {
  return new RpcError(Code.CANCELLED, 'client is closed');
}

function cutPool(pool: HostPool): void {
  pool.cutAll();
}
