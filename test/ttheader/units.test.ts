/** Unit checks of the frame formats, the schema-less skipper and the exception codecs. */
import { describe, it, expect } from 'vitest';
import {
  encodeTTHeaderPrefix, decodeTTHeaderFrame, encodeTHeaderPrefix, decodeTHeaderFrame, THeaderTransform,
  encodeBinaryMessageHeader, decodeBinaryMessageHeader, encodeCompactMessageHeader, decodeCompactMessageHeader,
  MessageSkipper, messageLength, encodeApplicationException, decodeApplicationException,
  encodeKitexProtobufError, decodeKitexProtobufError, encodeKitexProtobufHeader, decodeKitexProtobufHeader,
  encodeEnvelope, decodeEnvelope, detectProtocol, codeForApplicationExceptionType, MessageType,
} from '../../src/ttheader/index.js';
import { Code } from '../../src/errors/index.js';
import { TWriter, hex, fromHex, capture } from './helpers.js';
import { deflateSync } from 'node:zlib';

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

describe('TTHeader frame', () => {
  it('round-trips ACL token, string and int info, padding to 4 bytes', () => {
    const payload = new Uint8Array([1, 2, 3]);
    const pre = encodeTTHeaderPrefix({ seqId: -5, flags: 1, protocolId: 4, aclToken: 'tok', strInfo: new Map([['a', 'b'], ['ü', '']]), intInfo: new Map([[9, 'm'], [22, '1']]) }, payload.length);
    expect((pre.length - 14) % 4).toBe(0);
    const f = decodeTTHeaderFrame(concat(pre, payload));
    expect(f).toMatchObject({ seqId: -5, flags: 1, protocolId: 4, aclToken: 'tok', transforms: [] });
    expect(f.strInfo).toEqual(new Map([['a', 'b'], ['ü', '']]));
    expect(f.intInfo).toEqual(new Map([[9, 'm'], [22, '1']]));
    expect(hex(f.payload)).toBe('010203');
    // gopkg order: ACL token (0x11) first, then 0x01, then 0x10
    expect(pre[16]).toBe(0x11);
  });

  it('gives absent info blocks as shared empties that refuse entries', () => {
    const payload = new Uint8Array([1]);
    const bare = decodeTTHeaderFrame(concat(encodeTTHeaderPrefix({ seqId: 1 }, 1), payload));
    const framed = decodeEnvelope(encodeEnvelope({ transport: 'framed', payloadProtocol: 'thrift-binary', name: 'M', type: MessageType.REPLY, seqId: 1, body: payload }));
    for (const m of [bare.intInfo, bare.strInfo, framed.intInfo, framed.strInfo]) {
      expect(m.size).toBe(0);
      expect(() => (m as Map<unknown, string>).set(1, 'x')).toThrow(TypeError);
      expect(m.size).toBe(0);
    }
    expect(Object.isFrozen(bare.transforms)).toBe(true);
    // a header with int info only still has its own map
    const withInt = decodeTTHeaderFrame(concat(encodeTTHeaderPrefix({ seqId: 1, intInfo: new Map([[1, 'a']]) }, 1), payload));
    expect(withInt.intInfo).toEqual(new Map([[1, 'a']]));
    expect(withInt.strInfo.size).toBe(0);
  });

  it('decodes the captured Kitex reply header', () => {
    const f = decodeTTHeaderFrame(capture('thrift_unknown_method_ttheader').s2c);
    expect(f.strInfo).toEqual(new Map([['crrst', '1']]));
    expect(f.intInfo).toEqual(new Map([[22, '3']]));
    expect(f.headerLength).toBe(14 + 24);
  });

  it('rejects lengths that do not add up and unknown info ids', () => {
    const good = capture('thrift_pingpong_ttheader_generic').c2s;
    expect(() => decodeTTHeaderFrame(good.subarray(0, 50))).toThrow(/does not match/);
    const badHeader = new Uint8Array(good);
    badHeader[12] = 0xff; // header size beyond the frame
    expect(() => decodeTTHeaderFrame(badHeader)).toThrow(/exceeds the frame/);
    const badInfo = new Uint8Array(good);
    badInfo[16] = 0x42;
    expect(() => decodeTTHeaderFrame(badInfo)).toThrow(/invalid TTHeader info id 0x42/);
    const truncatedKv = new Uint8Array(good);
    truncatedKv[0x14] = 0xff; // "isn" key length 0xff03 > header
    expect(() => decodeTTHeaderFrame(truncatedKv)).toThrow(/exceeds the header/);
  });

  it('refuses an info value over 65535 bytes', () => {
    expect(() => encodeTTHeaderPrefix({ seqId: 1, strInfo: new Map([['k', 'x'.repeat(70000)]]) }, 0)).toThrow(/65535/);
  });
});

describe('THeader frame (Apache, magic 0x0FFF, varints)', () => {
  it('matches the layout Python THeaderTransport writes', () => {
    // python: I32(10+len(hdr)+len(payload)) 0FFF flags seq U16(len(hdr)/4) | varint proto, varint ntrans, 01 varint n, kv..., pad
    const pre = encodeTHeaderPrefix({ seqId: 7, protocolId: 2, headers: new Map([['k', 'vv']]) }, 3);
    expect(hex(pre)).toBe('00000019' + '0fff' + '0000' + '00000007' + '0003' + '0200' + '0101' + '016b' + '027676' + '000000');
  });

  it('round-trips headers and undoes a zlib transform', () => {
    const payload = new TextEncoder().encode('payload payload payload');
    const z = deflateSync(payload);
    const frame = concat(encodeTHeaderPrefix({ seqId: 3, transforms: [THeaderTransform.Zlib], headers: new Map([['a', '1']]) }, z.length), z);
    const f = decodeTHeaderFrame(frame);
    expect(f.transforms).toEqual([1]);
    expect(f.headers).toEqual(new Map([['a', '1']]));
    expect(new TextDecoder().decode(f.payload)).toBe('payload payload payload');
  });

  it('is never confused with TTHeader', () => {
    const th = encodeEnvelope({ transport: 'theader', payloadProtocol: 'thrift-binary', name: 'M', type: 1, seqId: 1, body: new Uint8Array([0]) });
    const tt = encodeEnvelope({ transport: 'ttheader', payloadProtocol: 'thrift-binary', name: 'M', type: 1, seqId: 1, body: new Uint8Array([0]) });
    expect(hex(th.subarray(4, 6))).toBe('0fff');
    expect(hex(tt.subarray(4, 6))).toBe('1000');
    expect(() => decodeTHeaderFrame(tt)).toThrow(/bad magic/);
    expect(() => decodeTTHeaderFrame(th)).toThrow(/bad magic/);
    expect(decodeEnvelope(th).transport).toBe('theader');
    expect(decodeEnvelope(tt).transport).toBe('ttheader');
  });
});

describe('message headers', () => {
  it('strict binary and the old non-strict form', () => {
    const h = encodeBinaryMessageHeader('Echo', MessageType.ONEWAY, 0x7fffffff);
    expect(hex(h)).toBe('80010004000000044563686f7fffffff');
    expect(decodeBinaryMessageHeader(h)).toEqual({ name: 'Echo', type: 4, seqId: 0x7fffffff, bodyOffset: 16 });
    expect(decodeBinaryMessageHeader(fromHex('000000044563686f01 00000009'))).toEqual({ name: 'Echo', type: 1, seqId: 9, bodyOffset: 13 });
    expect(() => decodeBinaryMessageHeader(fromHex('80020001000000'))).toThrow(/bad version/);
  });

  it('compact: 0x82, type<<5|1, varint seq, varint name', () => {
    const h = encodeCompactMessageHeader('Echo', MessageType.REPLY, 300);
    expect(hex(h)).toBe('8241ac02044563686f');
    expect(decodeCompactMessageHeader(h)).toEqual({ name: 'Echo', type: 2, seqId: 300, bodyOffset: 9 });
    expect(decodeCompactMessageHeader(encodeCompactMessageHeader('x', 1, -1)).seqId).toBe(-1);
  });

  it('Kitex protobuf: 9001 00 type, name, seq', () => {
    const h = encodeKitexProtobufHeader('UnaryEcho', 1, 23);
    expect(hex(h)).toBe('9001000100000009' + hex(new TextEncoder().encode('UnaryEcho')) + '00000017');
    expect(decodeKitexProtobufHeader(h)).toEqual({ name: 'UnaryEcho', type: 1, seqId: 23, bodyOffset: h.length });
  });
});

function everything(w: TWriter): Uint8Array {
  w.beginStruct();
  w.boolField(1, false).field('byte', 2).byte(1).field('i16', 3).i16(-2).field('i32', 4).i32(1 << 30).field('i64', 5).i64(-1n);
  w.field('double', 6).double(0.25).field('string', 7).string('s'.repeat(200));
  w.field('list', 8).listBegin('bool', 20);
  for (let i = 0; i < 20; i++) w.bool(i % 2 === 0);
  w.field('map', 9).mapBegin('i32', 'map', 2).i32(1).mapBegin('string', 'set', 1).string('x').listBegin('i64', 2).i64(1n).i64(2n).i32(2).mapBegin('string', 'set', 0);
  w.field('struct', 300).beginStruct().field('list', 1).listBegin('struct', 2).beginStruct().endStruct().beginStruct().boolField(1, true).endStruct().endStruct();
  w.field('map', 10).mapBegin('string', 'i32', 0);
  return w.endStruct().bytes();
}

describe.each(['binary', 'compact'] as const)('schema-less skipper (%s)', (enc) => {
  const c = enc === 'compact';
  const body = everything(new TWriter(c));
  const msg = concat(c ? encodeCompactMessageHeader('Everything', 1, 77) : encodeBinaryMessageHeader('Everything', 1, 77), body);

  it('finds the exact end, with trailing bytes present', () => {
    expect(messageLength(enc, concat(msg, new Uint8Array([9, 9, 9])))).toBe(msg.length);
  });

  it('resumes byte by byte and never reports a short message complete', () => {
    const s = new MessageSkipper(enc, { maxBytes: 1 << 20 });
    for (let i = 1; i < msg.length; i++) expect(s.scan(msg, 0, i)).toBe(-1);
    expect(s.scan(msg, 0, msg.length)).toBe(msg.length);
  });

  it('refuses nesting past maxDepth and sizes past maxBytes', () => {
    const deep = new TWriter(c).beginStruct();
    for (let i = 0; i < 100; i++) deep.field('struct', 1).beginStruct();
    const m = concat(c ? encodeCompactMessageHeader('D', 1, 1) : encodeBinaryMessageHeader('D', 1, 1), deep.bytes());
    expect(() => messageLength(enc, m)).toThrow(/nesting deeper than 64/);
    const huge = new TWriter(c).beginStruct().field('list', 1).listBegin('i32', 1_000_000).bytes();
    const m2 = concat(c ? encodeCompactMessageHeader('H', 1, 1) : encodeBinaryMessageHeader('H', 1, 1), huge);
    expect(() => messageLength(enc, m2, 0, m2.length, 4096)).toThrow(/list would make the message exceed 4096/);
  });
});

describe('TApplicationException and Kitex ErrorProto', () => {
  it.each(['binary', 'compact'] as const)('%s round trip, unknown fields skipped', (enc) => {
    const b = encodeApplicationException('unknown method X', 1, enc);
    expect(decodeApplicationException(b, enc)).toEqual({ message: 'unknown method X', type: 1 });
    const w = new TWriter(enc === 'compact').beginStruct().field('list', 9).listBegin('string', 1).string('extra').field('string', 1).string('m').field('i32', 2).i32(6).endStruct();
    expect(decodeApplicationException(w.bytes(), enc)).toEqual({ message: 'm', type: 6 });
  });

  it('binary encoding is what Kitex sent for unknown method', () => {
    const captured = decodeEnvelope(capture('thrift_unknown_method_ttheader').s2c).body;
    expect(hex(encodeApplicationException('unknown method NoSuchMethod', 1))).toBe(hex(captured));
  });

  it('maps Thrift types to gRPC codes', () => {
    expect(codeForApplicationExceptionType(1)).toBe(Code.UNIMPLEMENTED);
    expect(codeForApplicationExceptionType(6)).toBe(Code.INTERNAL);
    expect(codeForApplicationExceptionType(0)).toBe(Code.UNKNOWN);
    expect(codeForApplicationExceptionType(20)).toBe(Code.UNIMPLEMENTED);
  });

  it('Kitex ErrorProto, including a negative TypeID as Kitex writes it (5-byte varint)', () => {
    expect(decodeKitexProtobufError(encodeKitexProtobufError(1, 'unknown method'))).toEqual({ type: 1, message: 'unknown method' });
    expect(hex(encodeKitexProtobufError(-1, ''))).toBe('08ffffffff0f');
    expect(decodeKitexProtobufError(fromHex('08ffffffffffffffffff01'))).toEqual({ type: -1, message: '' });
  });
});

describe('detectProtocol', () => {
  const cases: Array<[string, string, string]> = [
    ['thrift_pingpong_ttheader_generic', 'ttheader', 'thrift-binary'],
    ['thrift_pingpong_ttheader_unframed_typed', 'ttheader-unframed', 'thrift-binary'],
    ['pb_ttheader_pingpong_generic', 'ttheader', 'kitex-protobuf'],
    ['thrift_pingpong_framed_typed', 'framed', 'thrift-binary'],
    ['thrift_pingpong_buffered_typed', 'buffered', 'thrift-binary'],
  ];
  it.each(cases)('%s → %s / %s', (name, transport, payloadProtocol) => {
    const b = capture(name).c2s;
    expect(detectProtocol(b)).toEqual({ transport, payloadProtocol });
    expect(detectProtocol(b.subarray(0, 1))).toBeUndefined();
  });

  it('THeader, compact, and not-ours', () => {
    const th = encodeEnvelope({ transport: 'theader', payloadProtocol: 'thrift-compact', name: 'M', type: 1, seqId: 1, body: new Uint8Array([0]) });
    expect(detectProtocol(th)).toEqual({ transport: 'theader', payloadProtocol: 'thrift-compact' });
    const fc = encodeEnvelope({ transport: 'framed', payloadProtocol: 'thrift-compact', name: 'M', type: 1, seqId: 1, body: new Uint8Array([0]) });
    expect(detectProtocol(fc)).toEqual({ transport: 'framed', payloadProtocol: 'thrift-compact' });
    expect(detectProtocol(new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))).toBeNull();
    expect(detectProtocol(new TextEncoder().encode('GET / HTTP/1.1\r\n'))).toBeNull();
  });
});
