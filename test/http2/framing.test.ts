import { describe, expect, it } from 'vitest';
import { gzipSync, zlibSync } from 'fflate';
import { Code, RpcError } from '../../src/errors/index.js';
import {
  EnvelopeDecoder,
  codeFromHttpStatus,
  codeFromRstCode,
  compress,
  decodeGrpcMessage,
  decodeRpcStatus,
  decompress,
  encodeEnvelope,
  encodeGrpcMessage,
  encodeRpcStatus,
  encodeTimeout,
  parseTimeout,
  parseTrailerStatus,
  validateMetadataName,
} from '../../src/http2/index.js';

function collect(maxBytes = 1 << 20): { dec: EnvelopeDecoder; out: Array<[number, string]> } {
  const out: Array<[number, string]> = [];
  const dec = new EnvelopeDecoder({ onEnvelope: (f, d) => out.push([f, Buffer.from(d).toString()]) }, maxBytes);
  return { dec, out };
}

describe('envelope framing', () => {
  const msgs = ['', 'a', 'hello world', 'x'.repeat(70_000), 'tail'];
  const wire = Buffer.concat(msgs.map((m, i) => encodeEnvelope(i % 2, Buffer.from(m))));

  it('decodes messages packed into one chunk, as views', () => {
    const views: Uint8Array[] = [];
    const dec = new EnvelopeDecoder({ onEnvelope: (_f, d) => views.push(d) }, 1 << 20);
    dec.push(wire);
    expect(views.map((v) => Buffer.from(v).toString())).toEqual(msgs);
    expect(views[2]!.buffer).toBe(wire.buffer);
    expect(dec.partial).toBe(false);
  });

  it('decodes the same bytes split at every chunk size pattern', () => {
    for (const size of [1, 2, 3, 4, 5, 6, 7, 13, 1000, 16384, 65535]) {
      const { dec, out } = collect();
      for (let i = 0; i < wire.length; i += size) dec.push(wire.subarray(i, i + size));
      expect(out.map((o) => o[1])).toEqual(msgs);
      expect(out.map((o) => o[0])).toEqual([0, 1, 0, 1, 0]);
    }
  });

  it('decodes random chunkings', () => {
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n) + 1;
    for (let round = 0; round < 50; round++) {
      const { dec, out } = collect();
      let i = 0;
      while (i < wire.length) {
        const n = rnd(round % 2 ? 10 : 9000);
        dec.push(wire.subarray(i, i + n));
        i += n;
      }
      expect(out.map((o) => o[1])).toEqual(msgs);
    }
  });

  it('under a huge limit, a huge announced length costs only the bytes that arrived', () => {
    const { dec, out } = collect(0xffffffff);
    const before = process.memoryUsage().arrayBuffers;
    dec.push(Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    expect(dec.partial).toBe(true);
    expect(out).toEqual([]);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('assembles a message bigger than the first allocation from small chunks', () => {
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    const wire2 = encodeEnvelope(0, big);
    const got: Uint8Array[] = [];
    const dec = new EnvelopeDecoder({ onEnvelope: (_f, d) => got.push(d) }, 4 << 20);
    for (let i = 0; i < wire2.length; i += 16384) dec.push(wire2.subarray(i, i + 16384));
    expect(got).toHaveLength(1);
    expect(Buffer.compare(Buffer.from(got[0]!), big)).toBe(0);
  });

  it('reports a partial message and refuses oversize lengths before allocating', () => {
    const { dec } = collect(100);
    dec.push(encodeEnvelope(0, Buffer.alloc(50)).subarray(0, 20));
    expect(dec.partial).toBe(true);
    const big = Buffer.from([0, 0xff, 0xff, 0xff, 0xff]);
    const { dec: d2 } = collect(100);
    expect(() => d2.push(big)).toThrow(RpcError);
    try {
      d2.push(big);
    } catch (e) {
      expect((e as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
    }
  });
});

describe('compression', () => {
  it('round-trips gzip and deflate (zlib format) and reads other implementations’ output', () => {
    const data = Buffer.from('compress me '.repeat(1000));
    for (const enc of ['gzip', 'deflate'] as const) {
      expect(Buffer.from(decompress(enc, compress(enc, data), 1 << 20)).equals(data)).toBe(true);
    }
    expect(Buffer.from(decompress('gzip', gzipSync(data), 1 << 20)).equals(data)).toBe(true);
    expect(Buffer.from(decompress('deflate', zlibSync(data), 1 << 20)).equals(data)).toBe(true);
  });

  it('stops inflating past the limit', () => {
    const bomb = gzipSync(new Uint8Array(64 << 20));
    expect(() => decompress('gzip', bomb, 1 << 20)).toThrow(/larger than max/);
  });

  it('garbage and unknown encodings are INTERNAL', () => {
    for (const [enc, data] of [
      ['gzip', Buffer.from('not gzip at all')],
      ['snappy', Buffer.from('x')],
    ] as const) {
      try {
        decompress(enc, data, 1000);
        expect.unreachable();
      } catch (e) {
        expect((e as RpcError).code).toBe(Code.INTERNAL);
      }
    }
  });
});

describe('grpc-timeout', () => {
  it('encodes in the finest unit that fits 8 digits', () => {
    expect(encodeTimeout(250)).toBe('250m');
    expect(encodeTimeout(0.5)).toBe('500u');
    expect(encodeTimeout(0)).toBe('1n');
    expect(encodeTimeout(99_999_999)).toBe('99999999m');
    expect(encodeTimeout(100_000_000)).toBe('100000S');
    expect(encodeTimeout(1e15)).toMatch(/^\d{1,8}H$/);
  });
  it('parses every unit and rejects malformed values', () => {
    expect(parseTimeout('2998599u')).toBeCloseTo(2998.599);
    expect(parseTimeout('1H')).toBe(3_600_000);
    expect(parseTimeout('3M')).toBe(180_000);
    expect(parseTimeout('5S')).toBe(5000);
    expect(parseTimeout('7m')).toBe(7);
    expect(parseTimeout('1000000n')).toBeCloseTo(1);
    for (const bad of ['', '5', 'm', '123456789m', '5s', '-1m', '1.5S']) expect(parseTimeout(bad)).toBeUndefined();
  });
});

describe('status', () => {
  it('percent-encodes and decodes grpc-message', () => {
    const m = 'a 100% ünïcode ☃ message\n';
    const enc = encodeGrpcMessage(m);
    expect(enc).toMatch(/^[\x20-\x7e]*$/);
    expect(decodeGrpcMessage(enc)).toBe(m);
    expect(encodeGrpcMessage('plain')).toBe('plain');
    expect(decodeGrpcMessage('bad %zz and %4')).toBe('bad %zz and %4');
  });

  it('encodes and decodes google.rpc.Status with details', () => {
    const s = { code: 3, message: 'bad arg', details: [{ typeUrl: 'type.googleapis.com/x.Y', value: Uint8Array.from([8, 1]) }] };
    const d = decodeRpcStatus(encodeRpcStatus(s));
    expect(d.code).toBe(3);
    expect(d.message).toBe('bad arg');
    expect(d.details[0]!.typeUrl).toBe('type.googleapis.com/x.Y');
    expect([...d.details[0]!.value]).toEqual([8, 1]);
    expect(decodeRpcStatus(encodeRpcStatus({ code: -1 })).code).toBe(-1);
  });

  it('reads trailers: status, message, details; non-numeric status is UNKNOWN', () => {
    const bin = Buffer.from(encodeRpcStatus({ code: 5, details: [{ typeUrl: 't', value: Uint8Array.from([1]) }] })).toString('base64');
    const st = parseTrailerStatus({ 'grpc-status': '5', 'grpc-message': 'gone%21', 'grpc-status-details-bin': bin });
    expect(st!.code).toBe(5);
    expect(st!.message).toBe('gone!');
    expect(st!.details.map((d) => [d.typeUrl, [...d.value]])).toEqual([['t', [1]]]);
    expect(parseTrailerStatus({})).toBeUndefined();
    expect(parseTrailerStatus({ 'grpc-status': 'x' })!.code).toBe(Code.UNKNOWN);
  });

  it('maps HTTP statuses and RST_STREAM codes as the spec says', () => {
    expect([400, 401, 403, 404, 429, 502, 503, 504, 500, 100].map(codeFromHttpStatus)).toEqual([
      Code.INTERNAL, Code.UNAUTHENTICATED, Code.PERMISSION_DENIED, Code.UNIMPLEMENTED, Code.UNAVAILABLE,
      Code.UNAVAILABLE, Code.UNAVAILABLE, Code.UNAVAILABLE, Code.UNKNOWN, Code.INTERNAL,
    ]);
    expect([0, 1, 2, 7, 8, 0xb, 0xc].map(codeFromRstCode)).toEqual([
      Code.INTERNAL, Code.INTERNAL, Code.INTERNAL, Code.UNAVAILABLE, Code.CANCELLED, Code.RESOURCE_EXHAUSTED, Code.PERMISSION_DENIED,
    ]);
  });

  it('validates metadata names', () => {
    expect(() => validateMetadataName('x-user-id')).not.toThrow();
    for (const n of ['grpc-foo', 'te', 'content-type', ':authority', 'Upper', 'sp ace', '']) {
      expect(() => validateMetadataName(n)).toThrow(RpcError);
    }
  });
});
