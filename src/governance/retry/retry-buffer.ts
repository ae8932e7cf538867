/** The memory a client's gRPC retries may hold to replay requests, shared by its calls. */
export class RetryBuffer {
  private used = 0;

  constructor(
    /** Most one call may hold. */
    readonly perCall: number,
    /** Most all calls together may hold. */
    private readonly perClient: number,
  ) {}

  /** Reserves `n` more bytes for a call that holds `held` already; false when either limit would be passed. */
  take(held: number, n: number): boolean {
    if (held + n > this.perCall || this.used + n > this.perClient) return false;
    this.used += n;
    return true;
  }

  /** Gives back what a call held. */
  release(n: number): void {
    this.used -= n;
  }
}
