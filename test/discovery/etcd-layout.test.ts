/**
 * Kitex's etcd layout and the etcd messages without a server: values byte for byte as Go's
 * encoding/json writes them, values Kitex's resolver would skip, and hostile bytes in etcd
 * responses (only CodecErrors, never a crash or a hang).
 */
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors/index.js';
import { decodeInstanceValue, encodeInstanceValue, serviceKey } from '../../src/discovery/index.js';
import { decodeLeaseResponse, decodeRangeResponse, decodeWatchResponse, encodePutRequest, encodeWatchCreate, prefixRangeEnd } from '../../src/discovery/etcd/wire.js';
import { rng } from '../codec/thrift/gen.js';

describe("Kitex's etcd layout", () => {
  it('keys and values as kitex-contrib/registry-etcd writes them', () => {
    expect(serviceKey('kitex/registry-etcd', 'echo', '10.0.0.1:8888')).toBe('kitex/registry-etcd/echo/10.0.0.1:8888');
    expect(encodeInstanceValue({ address: '10.0.0.1:8888', weight: 10, tags: {} })).toBe('{"network":"tcp","address":"10.0.0.1:8888","weight":10,"tags":null}');
    // Go sorts map keys and escapes <, >, & (and U+2028/2029) in strings.
    expect(encodeInstanceValue({ address: 'h:1', weight: 3, tags: { z: '1', a: '<&>\u2028' } })).toBe(
      '{"network":"tcp","address":"h:1","weight":3,"tags":{"a":"\\u003c\\u0026\\u003e\\u2028","z":"1"}}',
    );
  });

  it('reads values as Kitex does: default weight for 0 or less, tags kept, junk skipped', () => {
    expect(decodeInstanceValue('{"network":"tcp","address":"h:1","weight":0,"tags":null}')).toEqual({ address: 'h:1', weight: 10, tags: {} });
    expect(decodeInstanceValue('{"address":"h:1","weight":-5,"tags":{"idc":"a"}}', 7)).toEqual({ address: 'h:1', weight: 7, tags: { idc: 'a' } });
    expect(decodeInstanceValue('{"address":"h:1","weight":25}')).toMatchObject({ weight: 25 });
    for (const bad of ['', 'not json', '[]', 'null', '{"weight":10}', '{"address":""}', '{"address":5}']) expect(decodeInstanceValue(bad)).toBeUndefined();
  });
});

describe('etcd messages', () => {
  it('prefix range ends as etcd clients compute them', () => {
    const s = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
    expect(s(prefixRangeEnd(Buffer.from('kitex/registry-etcd/echo/')))).toBe('kitex/registry-etcd/echo0');
    expect(s(prefixRangeEnd(Uint8Array.of(0x61, 0xff)))).toBe('b');
    expect([...prefixRangeEnd(Uint8Array.of(0xff, 0xff))]).toEqual([0]);
  });

  it('64-bit lease IDs survive a round trip through the encoders and decoders', () => {
    const id = 0x694d82ca7e1f3a05n;
    // PutRequest{key 1, value 2, lease 3}.
    expect(encodePutRequest(Buffer.from('k'), Buffer.from('v'), id)).toEqual(Uint8Array.from([0x0a, 1, 0x6b, 0x12, 1, 0x76, 0x18, ...varint(id)]));
    const grant = Uint8Array.from([0x10, ...varint(id), 0x18, 60]);
    expect(decodeLeaseResponse(grant)).toEqual({ id, ttl: 60, error: '' });
    expect(encodeWatchCreate(Buffer.from('a'), Buffer.from('b'), 5)).toEqual(Uint8Array.of(0x0a, 10, 0x0a, 1, 0x61, 0x12, 1, 0x62, 0x18, 5, 0x20, 1));
  });

  it('hostile responses fail with a CodecError, never worse', () => {
    const rnd = rng(9);
    const good = Uint8Array.from([0x0a, 2, 0x18, 7, 0x12, 10, 0x0a, 1, 0x6b, 0x2a, 1, 0x76, 0x18, 3, 0x30, 1]);
    for (let i = 0; i < 5000; i++) {
      const b = i % 2 ? Uint8Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)) : good.map((x) => (rnd() < 0.15 ? Math.floor(rnd() * 256) : x));
      for (const decode of [decodeRangeResponse, decodeWatchResponse, decodeLeaseResponse]) {
        try {
          decode(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
        }
      }
    }
    expect(decodeRangeResponse(good)).toMatchObject({ revision: 7, kvs: [{ modRevision: 3, lease: 1n }] });
  });
});

function varint(v: bigint): number[] {
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
