/** A promise with its settle functions, for state machines that resolve from event handlers. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

/** Makes a {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A settled promise for sends that need not wait. */
export const RESOLVED: Promise<void> = Promise.resolve();
/** Received bytes queued before a stream is paused (back-pressure to the peer)... */
export const RECV_HIGH_WATER = 1 << 20;
/** ...and resumed once the queue drains below this. */
export const RECV_LOW_WATER = 1 << 18;
