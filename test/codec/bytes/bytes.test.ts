import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/codec/bytes/byte-writer.js';
import { decodeBase64, encodeBase64, encodeBase64Url } from '../../../src/codec/bytes/base64.js';
import { readUtf8, utf8Length, writeUtf8 } from '../../../src/codec/bytes/utf8.js';

const SAMPLES = ['', 'a', 'hello', 'é', '中文', '😀', 'a😀b', 'x'.repeat(100), 'é😀中'.repeat(30), '\u0000\u007f\u0080\u07ff\u0800\uffff', '\ud800', 'a\udc00b', '\ud83d\ud83d\ude00'];

describe('utf8', () => {
  it('writeUtf8 and utf8Length agree with Buffer (lone surrogates as U+FFFD)', () => {
    for (const s of SAMPLES) {
      const buf = new Uint8Array(s.length * 3 + 4);
      const n = writeUtf8(s, buf, 2);
      const want = Buffer.from(s, 'utf8');
      expect(Buffer.from(buf.subarray(2, 2 + n)).equals(want), s).toBe(true);
      expect(utf8Length(s), s).toBe(want.length);
    }
  });
  it('readUtf8 decodes valid UTF-8 and rejects invalid sequences', () => {
    for (const s of SAMPLES.filter((x) => !/[\ud800-\udfff]/.test(x.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))) {
      const b = Buffer.from(s, 'utf8');
      const padded = Buffer.concat([Buffer.from([0xff]), b, Buffer.from([0xff])]);
      expect(readUtf8(padded, 1, 1 + b.length), s).toBe(s);
    }
    const bad = [[0xff], [0xc3], [0xc3, 0x28], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98], [0x80]];
    for (const b of bad) {
      expect(readUtf8(Uint8Array.from(b), 0, b.length), String(b)).toBeUndefined();
      const long = Uint8Array.from([...new Array(40).fill(0x61), ...b]);
      expect(readUtf8(long, 0, long.length), 'long ' + String(b)).toBeUndefined();
    }
  });
});

describe('base64', () => {
  it('encodes standard padded and URL-safe unpadded', () => {
    for (let n = 0; n < 20; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 77 + 250) & 255);
      expect(encodeBase64(b)).toBe(Buffer.from(b).toString('base64'));
      expect(encodeBase64Url(b)).toBe(Buffer.from(b).toString('base64url'));
      expect(Buffer.from(decodeBase64(encodeBase64(b))!).equals(Buffer.from(b))).toBe(true);
      expect(Buffer.from(decodeBase64(encodeBase64Url(b))!).equals(Buffer.from(b))).toBe(true);
    }
  });
  it('encodes subarrays (respects byteOffset)', () => {
    const b = Uint8Array.from([1, 2, 3, 4, 5]).subarray(1, 3);
    expect(encodeBase64(b)).toBe('AgM=');
  });
  it('rejects malformed input', () => {
    for (const s of ['a', 'abcde', 'ab=c', 'ab===', 'a===', '====', 'QUJD=', 'QQ=', 'ab cd', 'ab\ncd', '*abc', 'QUJD\u00e9']) {
      expect(decodeBase64(s), s).toBeUndefined();
    }
    expect(decodeBase64('')).toEqual(new Uint8Array(0));
    expect(Buffer.from(decodeBase64('-_8')!)).toEqual(Buffer.from([0xfb, 0xff]));
  });
});

describe('ByteWriter', () => {
  it('grows, writes numbers and strings, finishes with a copy', () => {
    const w = new ByteWriter(1);
    w.writeByte(1);
    w.writeBytes(Uint8Array.of(2, 3));
    w.writeInt16BE(0x0405);
    w.writeInt32BE(-1);
    w.writeUint32LE(0x01020304);
    w.writeFloat32LE(1.5);
    w.writeFloat64LE(-2);
    w.writeFloat64BE(0.5);
    const n = w.writeString('é😀');
    expect(n).toBe(6);
    const out = w.finish();
    expect(Buffer.from(out).toString('hex')).toBe('010203' + '0405' + 'ffffffff' + '04030201' + '0000c03f' + '00000000000000c0' + '3fe0000000000000' + 'c3a9f09f9880');
    w.patchInt32BE(0, 0x7f000001);
    expect(out[0]).toBe(1); // finish() copied
    expect(w.written()[0]).toBe(0x7f);
  });
  it('reset keeps or shrinks the buffer', () => {
    const w = new ByteWriter(16);
    w.ensure(1 << 21);
    expect(w.buf.length).toBeGreaterThanOrEqual(1 << 21);
    w.reset();
    expect(w.pos).toBe(0);
    expect(w.buf.length).toBeLessThanOrEqual(1 << 20);
    w.writeString('x'.repeat(1000));
    expect(w.pos).toBe(1000);
  });
});

describe('readUtf8 agrees with a fatal TextDecoder on random bytes', () => {
  it('10k random sequences', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let seed = 12345;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    const interesting = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff];
    for (let i = 0; i < 10000; i++) {
      const n = next() % 12;
      const b = new Uint8Array(n);
      for (let k = 0; k < n; k++) b[k] = next() % 3 === 0 ? next() & 0xff : interesting[next() % interesting.length]!;
      let want: string | undefined;
      try {
        want = fatal.decode(b);
      } catch {
        want = undefined;
      }
      expect(readUtf8(b, 0, n), Buffer.from(b).toString('hex')).toBe(want);
    }
  });
});

describe('decodeBase64Into / base64DecodedLength', () => {
  it('agree with decodeBase64 on valid and invalid input', async () => {
    const { decodeBase64Into, base64DecodedLength } = await import('../../../src/codec/bytes/base64.js');
    const inputs: string[] = ['', 'QQ==', 'QUI=', 'QUJD', 'QUJDRA', '-_8', '+/8=', 'a', 'ab=c', 'QUJD=', '*abc', 'QUJD\u00e9', 'ab==', 'abc='];
    for (let n = 0; n < 40; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 255);
      inputs.push(Buffer.from(b).toString('base64'), Buffer.from(b).toString('base64url'));
    }
    for (const s of inputs) {
      const want = decodeBase64(s);
      const n = base64DecodedLength(s);
      const buf = new Uint8Array(Math.max(n, 0) + 4);
      const got = n < 0 ? -1 : decodeBase64Into(s, buf, 2);
      if (want === undefined) expect(got, s).toBe(-1);
      else {
        expect(got, s).toBe(want.length);
        expect(Buffer.from(buf.subarray(2, 2 + got)).equals(Buffer.from(want)), s).toBe(true);
      }
    }
  });
});
