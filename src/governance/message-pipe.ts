interface Queued<T> {
  value: T;
  taken: () => void;
  failed: (err: unknown) => void;
}

/**
 * Messages pushed one at a time (a stream's `send`), read as an async iterable (what the
 * middleware chain wraps). `push` resolves once the reader has taken the message, so a
 * sender that awaits it holds at most one message here: back-pressure passes through.
 * `close` ends the iterable after what is queued; `fail` rejects what is queued, later
 * pushes and a waiting reader.
 */
export class MessagePipe<T> implements AsyncIterable<T>, AsyncIterator<T> {
  private readonly queue: Queued<T>[] = [];
  private reader: { resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void } | undefined;
  private closed = false;
  private failure: { err: unknown } | undefined;

  /** Adds a message; resolves when the reader takes it, rejects if the pipe fails first. */
  push(value: T): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.err);
    if (this.closed) return Promise.reject(new Error('send after the request side was closed'));
    const reader = this.reader;
    if (reader) {
      this.reader = undefined;
      reader.resolve({ value, done: false });
      return Promise.resolve();
    }
    return new Promise((taken, failed) => this.queue.push({ value, taken, failed }));
  }

  /** No more messages: the iterable ends once the queued ones are read. */
  close(): void {
    this.closed = true;
    if (this.reader && this.queue.length === 0) {
      const reader = this.reader;
      this.reader = undefined;
      reader.resolve({ value: undefined, done: true });
    }
  }

  /** The call ended: queued and later pushes reject with `err`, and so does a waiting reader. */
  fail(err: unknown): void {
    if (this.failure) return;
    this.failure = { err };
    for (const q of this.queue.splice(0)) q.failed(err);
    const reader = this.reader;
    this.reader = undefined;
    reader?.reject(err);
  }

  next(): Promise<IteratorResult<T>> {
    const q = this.queue.shift();
    if (q) {
      q.taken();
      return Promise.resolve({ value: q.value, done: false });
    }
    if (this.failure) return Promise.reject(this.failure.err);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.reader = { resolve, reject }));
  }

  /** The reader stopped: later pushes are refused. */
  return(): Promise<IteratorResult<T>> {
    this.fail(new Error('the request stream is no longer read'));
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this;
  }
}
