/** What `onAttempt` is told about each attempt of a call that has a retry or hedging policy. */
export interface AttemptInfo {
  /** 1 for the first attempt. */
  attempt: number;
  /** The instance it goes to. */
  hostPort: string;
  /** The first attempt, a retry after a failure, or a hedged (backup) attempt. */
  kind: 'first' | 'retry' | 'hedge';
  /** For a retry: the status of the attempt it follows. */
  after?: { code: number; message: string };
  /** For a retry: the backoff waited before it (ms). */
  delayMs?: number;
}

/** What a retry follows: the status of the attempt before it and the time waited. */
export interface RetryCause {
  after: { code: number; message: string };
  delayMs: number;
}
