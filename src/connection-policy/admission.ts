import type { Socket } from 'node:net';

/**
 * Counts a server's open connections against `maxConnections`: one over the
 * limit is closed as it arrives (as Kitex's connection limiter and
 * `net.Server.maxConnections` do), so a flood of sockets cannot grow memory.
 */
export class ConnectionAdmission {
  private open = 0;
  private readonly onClose = (): void => {
    this.open--;
  };

  constructor(private readonly maxConnections: number) {}

  /** Open connections counted now. */
  get count(): number {
    return this.open;
  }

  /** Takes the socket in (true) or destroys it (false) when the server is full. */
  admit(socket: Socket): boolean {
    if (this.open >= this.maxConnections) {
      socket.destroy();
      return false;
    }
    this.open++;
    socket.once('close', this.onClose);
    return true;
  }
}
