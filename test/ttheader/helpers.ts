/** Test-only helpers: capture files, a tiny Thrift writer, scripted TCP servers. */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';

/** The Kitex v0.14.1 captures copied into the test fixtures. */
export const WIRE_DIR = fileURLToPath(new URL('../fixtures/wire', import.meta.url));

/** The client→server and server→client bytes of a capture. */
export function capture(name: string): { c2s: Uint8Array; s2c: Uint8Array } {
  return {
    c2s: new Uint8Array(readFileSync(`${WIRE_DIR}/${name}.c2s.bin`)),
    s2c: new Uint8Array(readFileSync(`${WIRE_DIR}/${name}.s2c.bin`)),
  };
}

/** Hex of bytes, for readable diffs. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

/** Minimal Thrift writer (binary or compact) for request bodies in tests. */
export class TWriter {
  private parts: number[] = [];
  private lastId: number[] = [0];
  constructor(readonly compact = false) {}

  bytes(): Uint8Array {
    return new Uint8Array(this.parts);
  }

  private u8(v: number): this { this.parts.push(v & 0xff); return this; }
  private be(v: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.parts.push(Number((BigInt.asUintN(64, BigInt(v)) >> BigInt(8 * i)) & 0xffn));
    return this;
  }
  private varint(v: bigint): this {
    v = BigInt.asUintN(64, v);
    while (v >= 0x80n) { this.parts.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
    this.parts.push(Number(v));
    return this;
  }
  private zz(v: bigint | number, bits: 32 | 64): this {
    const b = BigInt(v);
    return this.varint(BigInt.asUintN(bits, (b << 1n) ^ (b >> BigInt(bits - 1))));
  }
  static readonly BT: Record<string, number> = { bool: 2, byte: 3, double: 4, i16: 6, i32: 8, i64: 10, string: 11, struct: 12, map: 13, set: 14, list: 15 };
  static readonly CT: Record<string, number> = { bool: 1, byte: 3, i16: 4, i32: 5, i64: 6, double: 7, string: 8, list: 9, set: 10, map: 11, struct: 12 };

  /** Field header; for compact bools pass the value. */
  field(type: string, id: number, boolValue?: boolean): this {
    if (!this.compact) return this.u8(TWriter.BT[type]!).be(id, 2);
    let ct = TWriter.CT[type]!;
    if (type === 'bool') ct = boolValue ? 1 : 2;
    const last = this.lastId[this.lastId.length - 1]!;
    const delta = id - last;
    this.lastId[this.lastId.length - 1] = id;
    if (delta > 0 && delta <= 15) return this.u8((delta << 4) | ct);
    return this.u8(ct).zz(id, 32);
  }
  stop(): this { return this.u8(0); }
  beginStruct(): this { if (this.compact) this.lastId.push(0); return this; }
  endStruct(): this { this.stop(); if (this.compact) this.lastId.pop(); return this; }

  bool(v: boolean): this { return this.u8(v ? 1 : this.compact ? 2 : 0); }
  /** A bool *field* (compact folds the value into the field header). */
  boolField(id: number, v: boolean): this { return this.compact ? this.field('bool', id, v) : this.field('bool', id).bool(v); }
  byte(v: number): this { return this.u8(v); }
  i16(v: number): this { return this.compact ? this.zz(v, 32) : this.be(v, 2); }
  i32(v: number): this { return this.compact ? this.zz(v, 32) : this.be(v, 4); }
  i64(v: bigint): this {
    if (this.compact) return this.zz(v, 64);
    const u = BigInt.asUintN(64, v);
    for (let i = 7; i >= 0; i--) this.parts.push(Number((u >> BigInt(8 * i)) & 0xffn));
    return this;
  }
  double(v: number): this {
    const b = Buffer.alloc(8);
    if (this.compact) b.writeDoubleLE(v); else b.writeDoubleBE(v);
    this.parts.push(...b);
    return this;
  }
  string(s: string | Uint8Array): this {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
    if (this.compact) this.varint(BigInt(b.length)); else this.be(b.length, 4);
    this.parts.push(...b);
    return this;
  }
  listBegin(elem: string, n: number): this {
    if (!this.compact) return this.u8(TWriter.BT[elem]!).be(n, 4);
    const ct = TWriter.CT[elem]!;
    return n < 15 ? this.u8((n << 4) | ct) : this.u8(0xf0 | ct).varint(BigInt(n));
  }
  mapBegin(k: string, v: string, n: number): this {
    if (!this.compact) return this.u8(TWriter.BT[k]!).u8(TWriter.BT[v]!).be(n, 4);
    this.varint(BigInt(n));
    return n === 0 ? this : this.u8((TWriter.CT[k]! << 4) | TWriter.CT[v]!);
  }
}

/** A scripted TCP server on 127.0.0.1 for fault and replay tests. */
export interface ScriptedServer {
  port: number;
  /** Every byte received per connection, in connection order. */
  received: Buffer[];
  sockets: Set<net.Socket>;
  connections: number;
  close(): Promise<void>;
}

export async function startServer(onData: (sock: net.Socket, all: Buffer, chunk: Buffer, index: number) => void): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>();
  const received: Buffer[] = [];
  const state = { connections: 0 };
  const server = net.createServer((sock) => {
    const idx = state.connections++;
    received[idx] = Buffer.alloc(0);
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      received[idx] = Buffer.concat([received[idx]!, chunk]);
      onData(sock, received[idx]!, chunk, idx);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    sockets,
    get connections() { return state.connections; },
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}
