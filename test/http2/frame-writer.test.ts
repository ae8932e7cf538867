import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { EnvelopeDecoder } from '../../src/http2/envelope-decoder.js';
import { FrameWriter } from '../../src/http2/frame-writer.js';

/**
 * A stream whose writes complete on a later turn of the event loop (as an HTTP/2 stream's
 * do; `complete` says when), recording each `write()` call the writer makes.
 */
function recorder(complete: (cb: () => void) => void = setImmediate): { stream: Writable; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const stream = new Writable({
    write(_chunk: Buffer, _enc, cb) {
      complete(() => cb());
    },
  });
  const write = stream.write.bind(stream) as (chunk: Buffer) => boolean;
  stream.write = ((chunk: Buffer) => {
    writes.push(Buffer.from(chunk));
    return write(chunk);
  }) as typeof stream.write;
  return { stream, writes };
}

/** The messages in the written bytes, in order. */
function messages(writes: Buffer[]): string[] {
  const out: string[] = [];
  const dec = new EnvelopeDecoder({ onEnvelope: (_f, d) => out.push(Buffer.from(d).toString()) }, 1 << 20);
  for (const w of writes) dec.push(w);
  return out;
}

const tick = (): Promise<void> => new Promise((r) => process.nextTick(r));
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('FrameWriter', () => {
  it('batches a burst sent in one tick into one write on the next tick', async () => {
    const { stream, writes } = recorder();
    const w = new FrameWriter(stream);
    for (let i = 0; i < 40; i++) w.write(0, Buffer.from(`m${i}`));
    expect(writes).toHaveLength(0);
    await tick();
    expect(writes).toHaveLength(1);
    expect(messages(writes)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
  });

  it('with loneAtOnce, writes a lone message at once and batches what follows it in the same tick', async () => {
    const { stream, writes } = recorder();
    const w = new FrameWriter(stream, true);
    w.write(0, Buffer.from('ping'));
    expect(messages(writes)).toEqual(['ping']); // no wait for the next tick
    for (let i = 0; i < 40; i++) w.write(0, Buffer.from(`m${i}`));
    expect(writes).toHaveLength(1); // the first write is in flight: the burst waits for the batch
    await tick();
    expect(writes).toHaveLength(2);
    await turn();
    await turn();
    // Stream idle again: the next lone message leaves at once too.
    w.write(0, Buffer.from('pong'));
    expect(writes).toHaveLength(3);
    expect(messages(writes)).toEqual(['ping', ...Array.from({ length: 40 }, (_, i) => `m${i}`), 'pong']);
  });

  it('with loneAtOnce, a message sent while frames wait in the batch joins them, in order', async () => {
    // Writes complete in a microtask: the stream is idle again before the batch's tick.
    const { stream, writes } = recorder(queueMicrotask);
    const w = new FrameWriter(stream, true);
    w.write(0, Buffer.from('a')); // at once
    w.write(0, Buffer.from('b')); // 'a' in flight: batched
    await Promise.resolve();
    expect(stream.writableLength).toBe(0);
    w.write(0, Buffer.from('c')); // idle stream, but 'b' waits: 'c' goes behind it
    expect(writes).toHaveLength(1);
    await tick();
    expect(writes).toHaveLength(2);
    expect(messages(writes)).toEqual(['a', 'b', 'c']);
  });
});
