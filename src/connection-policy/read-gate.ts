import type { Socket } from 'node:net';

/** Reasons to stop reading a connection; several may hold at once. */
export const ReadHold = {
  /** Requests read ahead fill their queue. */
  Queue: 1,
  /** Replies are not leaving: the socket's write buffer is full. */
  Write: 2,
} as const;

/**
 * Socket back-pressure for a server connection: reading stops while any
 * reason holds and resumes when the last is released. With reading stopped the
 * kernel's receive buffer fills and TCP flow control slows the peer, so a
 * client that sends without reading replies costs a bounded amount of memory.
 */
export class ReadGate {
  private holds = 0;

  constructor(private readonly socket: Socket) {}

  /** True while reading is stopped for `reason` (any reason when omitted). */
  isHeld(reason?: number): boolean {
    return reason === undefined ? this.holds !== 0 : (this.holds & reason) !== 0;
  }

  hold(reason: number): void {
    if (this.holds === 0) this.socket.pause();
    this.holds |= reason;
  }

  release(reason: number): void {
    if ((this.holds & reason) === 0) return;
    this.holds &= ~reason;
    if (this.holds === 0 && !this.socket.destroyed) this.socket.resume();
  }
}

/**
 * Resolves once the socket's write buffer has drained below its high-water
 * mark, or the socket closed: what a writer awaits after `write()` returned
 * false, so that no more than one reply waits in memory.
 */
export function writable(socket: Socket): Promise<void> {
  if (!socket.writableNeedDrain || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
