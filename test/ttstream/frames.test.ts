/**
 * The ttstream frame layer against every frame Kitex v0.14.1 put on the wire
 * in the captures: our encoder writes the same bytes (where Kitex's map order
 * happened to match ours), our decoder reads the same fields as the test's own
 * parser, the reader cuts any split of the byte stream into the same frames,
 * and corrupted streams yield only typed errors.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RpcError } from '../../src/errors/index.js';
import { FrameReader, FrameView, encodeHead, framePrefix, writeFrameHead, type FrameType } from '../../src/ttstream/index.js';
import { capture, cutFrames, isTTStream, parseFrame, type WireFrame } from './wire.js';

const NAMES = readdirSync(fileURLToPath(new URL('../fixtures/wire', import.meta.url)))
  .filter((f) => f.startsWith('ttstream_') && f.endsWith('.c2s.bin'))
  .map((f) => f.slice(0, -'.c2s.bin'.length));

/** Every ttstream byte stream of the captures (both directions). */
const STREAMS: Array<[string, Buffer]> = NAMES.flatMap((n) => {
  const { c2s, s2c } = capture(n);
  return [
    [`${n} c2s`, c2s],
    [`${n} s2c`, s2c],
  ] as Array<[string, Buffer]>;
}).filter(([, b]) => b.length > 0 && isTTStream(b));

interface Seen {
  type: number;
  sid: number;
  method: string;
  str: Record<string, string>;
  payload: string;
}

/** Collects what the reader hands over, copying out of the reused view. */
function collector(): { frames: Seen[]; oversized: Array<[number, number]>; reader: (max?: number) => FrameReader } {
  const frames: Seen[] = [];
  const oversized: Array<[number, number]> = [];
  const sink = {
    onFrame: (f: FrameView) => frames.push({ type: f.type, sid: f.sid, method: f.method, str: Object.fromEntries(f.strInfo ?? []), payload: Buffer.from(f.payload()).toString('hex') }),
    onOversized: (sid: number, bytes: number) => void oversized.push([sid, bytes]),
  };
  return { frames, oversized, reader: (max = 1 << 20) => new FrameReader(sink, max) };
}

function expected(buf: Buffer): Seen[] {
  return cutFrames(buf).frames.map(parseFrame).map((f: WireFrame) => ({ type: f.type, sid: f.sid, method: f.method, str: f.str, payload: f.payload.toString('hex') }));
}

describe('ttstream frames', () => {
  it('there are captures to check', () => {
    expect(STREAMS.length).toBeGreaterThan(40);
  });

  it.each(STREAMS)('%s: decoded as the test parser reads it, whole and in any split', (_name, buf) => {
    const want = expected(buf);
    const whole = collector();
    whole.reader().push(buf);
    expect(whole.frames).toEqual(want);
    const bytes = collector();
    const r = bytes.reader();
    for (let i = 0; i < buf.length; i++) r.push(buf.subarray(i, i + 1));
    expect(bytes.frames).toEqual(want);
    const random = collector();
    const rr = random.reader();
    for (let at = 0; at < buf.length; ) {
      const n = 1 + Math.floor(Math.random() * 97);
      rr.push(buf.subarray(at, at + n));
      at += n;
    }
    expect(random.frames).toEqual(want);
  });

  it.each(STREAMS)('%s: read from a buffer that is overwritten after every read (onread), payloads are kept intact', (_name, buf) => {
    const kept: Array<{ type: number; payload: Uint8Array }> = [];
    const r = new FrameReader({ onFrame: (f) => void kept.push({ type: f.type, payload: f.payload() }), onOversized: () => undefined }, 1 << 20);
    // chunks of up to 400 bytes: most frames lie whole in one, some are split
    const scratch = new Uint8Array(400);
    for (let at = 0; at < buf.length; ) {
      const n = Math.min(1 + Math.floor(Math.random() * 400), buf.length - at);
      scratch.set(buf.subarray(at, at + n));
      r.push(scratch.subarray(0, n), true);
      scratch.fill(0xee);
      at += n;
    }
    expect(kept.map((k) => ({ type: k.type, payload: Buffer.from(k.payload).toString('hex') }))).toEqual(expected(buf).map((f) => ({ type: f.type, payload: f.payload })));
  });

  it.each(STREAMS)('%s: our encoder writes Kitex\'s bytes', (_name, buf) => {
    let checked = 0;
    for (const bytes of cutFrames(buf).frames) {
      const f = parseFrame(bytes);
      // Kitex writes int infos in Go map order; ours are 27 then 9. Compare those that agree.
      if ([...f.intInfo.keys()].join() !== '27,9' || f.aclToken !== undefined) continue;
      let ours: Buffer;
      if (Object.keys(f.str).length === 0) {
        const prefix = framePrefix(f.method);
        const out = Buffer.alloc(prefix.length + f.payload.length);
        const at = writeFrameHead(out, 0, prefix, f.type as FrameType, f.sid, f.payload.length);
        f.payload.copy(out, at);
        ours = out;
      } else {
        ours = Buffer.concat([encodeHead(f.type as FrameType, f.sid, f.method, new Map(Object.entries(f.str)), f.payload.length), f.payload]);
      }
      expect(ours.toString('hex')).toBe(bytes.toString('hex'));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('a frame over the limit is reported with its stream id and skipped as it arrives', () => {
    const small = capture('ttstream_bidi_typed').c2s;
    const frames = cutFrames(small).frames;
    const c = collector();
    const r = c.reader(50); // the 54-byte Header frame is over the limit; the 49-byte Data and 34-byte Trailer frames are not
    for (let i = 0; i < small.length; i += 7) r.push(small.subarray(i, i + 7));
    expect(c.oversized).toEqual([[1, 54]]);
    expect(c.frames.map((f) => f.type)).toEqual(frames.filter((f) => f.length <= 50).map((f) => parseFrame(f).type));
    expect(r.buffered).toBe(0);
  });

  it('corrupted streams: only typed errors, and the reader never holds more than a frame', () => {
    let errors = 0;
    for (let round = 0; round < 3000; round++) {
      const [, buf] = STREAMS[round % STREAMS.length]!;
      const bad = Buffer.from(buf);
      for (let k = 0; k < 1 + (round % 4); k++) bad[Math.floor(Math.random() * bad.length)] = Math.floor(Math.random() * 256);
      const c = collector();
      const r = c.reader(4096);
      try {
        for (let at = 0; at < bad.length; at += 13) r.push(bad.subarray(at, at + 13));
      } catch (e) {
        expect(e).toBeInstanceOf(RpcError);
        errors++;
      }
      expect(r.buffered).toBeLessThanOrEqual(4096 + 13);
    }
    expect(errors).toBeGreaterThan(100);
  });
});
