/**
 * Header templates (a request or reply header encoded once, then only lengths
 * and sequence ids patched per call) must give exactly the bytes of a full
 * encode, for every layout they accept; and the text helpers must agree with
 * TextEncoder/TextDecoder.
 */
import { describe, it, expect } from 'vitest';
import * as net from 'node:net';
import {
  EnvelopeTemplate, encodeEnvelope, decodeEnvelope, encodeServerReply, PingPongClient,
  IntInfoKey, MessageType, ServerRequestReader, type PingPongTransport, type PayloadProtocol, type ServerRequest,
} from '../../src/ttheader/index.js';
import { decodeText, encodeText } from '../../src/frame/text.js';

const COMBOS: [PingPongTransport, PayloadProtocol][] = [
  ['ttheader', 'thrift-binary'], ['ttheader', 'kitex-protobuf'], ['ttheader-unframed', 'thrift-binary'],
  ['framed', 'thrift-binary'], ['framed', 'kitex-protobuf'], ['buffered', 'thrift-binary'],
];

function bodyOf(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
}

describe('EnvelopeTemplate', () => {
  for (const [transport, payloadProtocol] of COMBOS) {
    it(`fills ${transport} / ${payloadProtocol} exactly as a full encode`, () => {
      const isTT = transport.startsWith('ttheader');
      const fields = {
        transport, payloadProtocol, name: 'EchoPingPong', type: MessageType.CALL,
        ...(isTT ? { intInfo: new Map([[IntInfoKey.ToService, 'svc'], [IntInfoKey.ToMethod, 'EchoPingPong'], [IntInfoKey.RPCTimeout, '250']]), strInfo: new Map([['isn', 'TestService']]) } : {}),
      };
      const t = EnvelopeTemplate.of(fields)!;
      expect(t).toBeDefined();
      for (const seqId of [1, 2, 255, 65_536, 0x7fffffff, -1]) {
        for (const n of [0, 1, 3, 300, 70_000]) {
          const body = bodyOf(n);
          expect(Buffer.from(t.fill(seqId, body)).equals(Buffer.from(encodeEnvelope({ ...fields, seqId, body })))).toBe(true);
        }
      }
    });
  }

  it('is not offered for varint layouts (compact, THeader)', () => {
    expect(EnvelopeTemplate.of({ transport: 'framed', payloadProtocol: 'thrift-compact', name: 'm', type: 1 })).toBeUndefined();
    expect(EnvelopeTemplate.of({ transport: 'theader', payloadProtocol: 'thrift-binary', name: 'm', type: 1 })).toBeUndefined();
  });
});

describe('server reply templates', () => {
  for (const [transport, payloadProtocol] of COMBOS) {
    it(`answer ${transport} / ${payloadProtocol} as the full encoder does`, () => {
      for (const seqId of [1, 77, 0x7fffffff]) {
        const req = decodeEnvelope(encodeEnvelope({ transport, payloadProtocol, name: 'Echo', type: MessageType.CALL, seqId, body: bodyOf(5) }), transport === 'buffered') as ServerRequest;
        const body = bodyOf(seqId % 50);
        const viaTemplate = encodeServerReply(req, { body });
        const expected = encodeEnvelope({
          transport, payloadProtocol, name: 'Echo', type: MessageType.REPLY, seqId, body,
          ...(transport.startsWith('ttheader') ? { intInfo: new Map([[IntInfoKey.MsgType, '2']]) } : {}),
        });
        expect(Buffer.from(viaTemplate).equals(Buffer.from(expected))).toBe(true);
      }
    });
  }
});

describe('PingPongClient header cache', () => {
  it('re-encodes the header when the timeout, service or oneway-ness changes', async () => {
    const seen: ServerRequest[] = [];
    const server = net.createServer((sock) => {
      const reader = new ServerRequestReader();
      sock.on('data', (chunk) => {
        for (const req of reader.push(chunk)) {
          seen.push(req);
          if (req.type === MessageType.CALL) sock.write(encodeServerReply(req, { body: new Uint8Array([0]) }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const client = new PingPongClient({ hostPorts: [`127.0.0.1:${port}`], transport: 'ttheader', maxConnectionsPerHost: 1 });
    try {
      const body = new Uint8Array([0]);
      await client.call({ method: 'M', body, idlServiceName: 'S', timeoutMs: 100 });
      await client.call({ method: 'M', body, idlServiceName: 'S', timeoutMs: 100 });
      await client.call({ method: 'M', body, idlServiceName: 'S', timeoutMs: 2500 });
      await client.call({ method: 'M', body, idlServiceName: 'T', toService: 'other' });
      await client.call({ method: 'M', body, idlServiceName: 'T', toService: 'other', oneway: true });
      await client.call({ method: 'M', body, idlServiceName: 'T', toService: 'other', metadata: { k: 'v' } });
      await client.call({ method: 'M', body, idlServiceName: 'T', toService: 'other' });
      await new Promise((r) => setTimeout(r, 50));
      const heads = seen;
      expect(heads.map((h) => h.frameSeqId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(heads.map((h) => h.intInfo.get(IntInfoKey.RPCTimeout))).toEqual(['100', '100', '2500', undefined, undefined, undefined, undefined]);
      expect(heads.map((h) => h.intInfo.get(IntInfoKey.ToService))).toEqual(['S', 'S', 'S', 'other', 'other', 'other', 'other']);
      expect(heads.map((h) => h.intInfo.get(IntInfoKey.MsgType))).toEqual(['1', '1', '1', '1', '4', '1', '1']);
      expect(heads.map((h) => h.strInfo.get('RPC_TRANSIT_k'))).toEqual([undefined, undefined, undefined, undefined, undefined, 'v', undefined]);
      expect(heads.map((h) => h.seqId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await client.close();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('header text', () => {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  it('encodes and decodes like TextEncoder/TextDecoder, ASCII or not, short or long', () => {
    for (const s of ['', 'a', 'EchoPingPong', 'x'.repeat(16), 'y'.repeat(17), 'z'.repeat(200), 'ü', 'méthode', '日本語'.repeat(20), '😀', '\ud800']) {
      expect(Buffer.from(encodeText(s)).equals(Buffer.from(enc.encode(s)))).toBe(true);
      const b = enc.encode(`..${s}..`);
      expect(decodeText(b, 2, b.length - 2)).toBe(dec.decode(b.subarray(2, b.length - 2)));
    }
  });
  it('turns invalid UTF-8 into U+FFFD as TextDecoder does', () => {
    for (const bytes of [[0xff], [0x41, 0xc3], [0xe6, 0x97], new Array(20).fill(0x41).concat([0x80])]) {
      const b = Uint8Array.from(bytes);
      expect(decodeText(b, 0, b.length)).toBe(dec.decode(b));
    }
  });
  it('returns the right string from its cache of recent ones, whatever shares a slot', () => {
    // 200 families of 10 strings of 1–30 bytes (the cache holds up to 24) that differ in
    // one character each, over 64 slots, decoded in random order so that each slot is hit,
    // missed and overwritten; the input buffer is rewritten after each decode.
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const pool: string[] = [];
    for (let f = 0; f < 200; f++) {
      const alphabet = f % 5 === 0 ? [...printable, 'é', '日', '😀', '\u0000'] : printable;
      const base = Array.from({ length: 1 + rnd(30) }, () => alphabet[rnd(alphabet.length)]!);
      for (let v = 0; v < 10; v++) {
        const chars = [...base];
        chars[rnd(chars.length)] = alphabet[rnd(alphabet.length)]!;
        pool.push(chars.join(''));
      }
    }
    const buf = new Uint8Array(256);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4000; i++) {
        const s = pool[rnd(pool.length)]!;
        const b = enc.encode(s);
        const at = rnd(100);
        buf.set(b, at);
        expect(decodeText(buf, at, at + b.length)).toBe(s);
        buf.fill(0x41, at, at + b.length);
      }
    }
  });
});
