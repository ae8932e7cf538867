import type { RpcError } from '../errors/index.js';

/**
 * A server call's reader waiting for the next request message: the message (or the
 * error that cut the call) goes through the reader's `map` / `fail` when it arrives and
 * settles the one promise the reader holds.
 */
export class RecvWaiter<T> {
  readonly promise: Promise<T>;
  private resolve!: (v: T) => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly map: (message: Uint8Array | undefined) => T,
    private readonly fail: (err: RpcError) => T,
  ) {
    this.promise = new Promise<T>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
  }

  /** A message arrived (undefined: the client half-closed). */
  deliver(message: Uint8Array | undefined): void {
    try {
      this.resolve(this.map(message));
    } catch (e) {
      this.reject(e);
    }
  }

  /** The call was cut. */
  failWith(err: RpcError): void {
    try {
      this.resolve(this.fail(err));
    } catch (e) {
      this.reject(e);
    }
  }
}

/** `fn(arg)` as a settled promise: rejected when it throws. */
export function mapped<A, T>(fn: (arg: A) => T, arg: A): Promise<T> {
  try {
    return Promise.resolve(fn(arg));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The `map` of a plain recv(). */
export function identity<A>(a: A): A {
  return a;
}

/** The `fail` of a plain recv(): the call's error rejects. */
export function rethrow(err: RpcError): never {
  throw err;
}
