// Seeded random values for Thrift descriptors: the JSON text idlcall takes as
// input and the canonical form the Python peer speaks (see
// test/peers/thrift_codec_peer.py), plus helpers to compare canonical values.
import type { ThriftStruct, ThriftType } from '../../../src/idl-parser/thrift/descriptor.js';

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Generated {
  json: string;
  canon: unknown;
}

const STRINGS = ['', 'a', 'hello', 'ünïcødé', '日本語', '😀 emoji', 'quote " backslash \\ slash /', 'ctl \u0001\n\t\r', 'x'.repeat(70)];

export class Gen {
  /** Upper bound for container sizes near the top (≥ 15 exercises the compact long-form headers). */
  maxItems = 4;

  constructor(private readonly r: () => number) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  i64(): bigint {
    switch (this.int(0, 4)) {
      case 0:
        return BigInt(this.int(-1000, 1000));
      case 1:
        return this.pick([0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 31n, -(2n ** 31n) - 1n]);
      default: {
        const hi = BigInt(this.int(0, 0xffffffff));
        const lo = BigInt(this.int(0, 0xffffffff));
        return BigInt.asIntN(64, (hi << 32n) | lo);
      }
    }
  }

  double(): number {
    switch (this.int(0, 4)) {
      case 0:
        return this.int(-1000, 1000);
      case 1:
        return this.pick([0.1, 1e21, 1e-7, 123.456, -2.5e-300, 1.7976931348623157e308, 5e-324, 0.5]);
      default:
        return (this.r() - 0.5) * 10 ** this.int(-5, 12);
    }
  }

  string(): string {
    if (this.r() < 0.6) return this.pick(STRINGS);
    let s = '';
    const n = this.int(0, 12);
    for (let i = 0; i < n; i++) {
      const c = this.int(0, 3) === 0 ? this.int(0x80, 0xd7ff) : this.int(0x20, 0x7e);
      s += String.fromCharCode(c);
    }
    return s;
  }

  bytes(): Uint8Array {
    const n = this.int(0, 10);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }

  value(t: ThriftType, depth: number): Generated {
    switch (t.kind) {
      case 'bool': {
        const v = this.r() < 0.5;
        return { json: String(v), canon: v };
      }
      case 'byte': {
        const v = this.int(-128, 127);
        return { json: String(v), canon: v };
      }
      case 'i16': {
        const v = this.int(-32768, 32767);
        return { json: String(v), canon: v };
      }
      case 'i32': {
        const v = this.pick([this.int(-100, 100), this.int(-2147483648, 2147483647), 2147483647, -2147483648]);
        return { json: String(v), canon: v };
      }
      case 'i64': {
        const v = this.i64();
        // Large values as exact JSON numbers, sometimes as strings (both accepted).
        return { json: this.r() < 0.8 ? v.toString() : `"${v}"`, canon: v.toString() };
      }
      case 'double': {
        const v = this.double();
        return { json: String(v), canon: v };
      }
      case 'string': {
        const v = this.string();
        return { json: JSON.stringify(v), canon: v };
      }
      case 'binary': {
        const b64 = Buffer.from(this.bytes()).toString('base64');
        return { json: JSON.stringify(b64), canon: b64 };
      }
      case 'enum': {
        const v = this.pick(t.enum.values).value;
        return { json: String(v), canon: v };
      }
      case 'list':
      case 'set': {
        const n = depth > 3 ? 0 : this.int(0, depth <= 1 ? this.maxItems : 4);
        const items: Generated[] = [];
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const g = this.value(t.element, depth + 1);
          const k = JSON.stringify(g.canon);
          if (t.kind === 'set' && seen.has(k)) continue;
          seen.add(k);
          items.push(g);
        }
        return { json: '[' + items.map((g) => g.json).join(',') + ']', canon: items.map((g) => g.canon) };
      }
      case 'map': {
        const n = depth > 3 ? 0 : this.int(0, depth <= 1 ? this.maxItems : 3);
        const parts: string[] = [];
        const pairs: unknown[] = [];
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const k = this.value(t.key, depth + 1);
          const text = keyText(t.key, k.canon);
          if (seen.has(text)) continue;
          seen.add(text);
          const v = this.value(t.value, depth + 1);
          parts.push(JSON.stringify(text) + ':' + v.json);
          pairs.push([k.canon, v.canon]);
        }
        return { json: '{' + parts.join(',') + '}', canon: pairs };
      }
      case 'struct':
        return this.struct(t.struct, depth + 1);
      default:
        throw new Error(`no generator for ${t.kind}`);
    }
  }

  struct(s: ThriftStruct, depth: number): Generated {
    const parts: string[] = [];
    const canon: Record<string, unknown> = {};
    const fields = s.kind === 'union' ? [this.pick(s.fields)] : s.fields.filter((f) => f.requiredness !== 'optional' || f.defaultValue !== undefined || (depth < 4 && this.r() < 0.5));
    for (const f of fields) {
      const g = this.value(f.type, depth);
      parts.push(JSON.stringify(f.name) + ':' + g.json);
      canon[f.name] = g.canon;
    }
    return { json: '{' + parts.join(',') + '}', canon };
  }
}

/** A map key's JSON object-key text, as idlcall writes it. */
export function keyText(t: ThriftType, canon: unknown): string {
  if (t.kind === 'bool') return canon ? 'true' : 'false';
  return String(canon);
}

/** Sorts sets and map entries so canonical values compare regardless of order. */
export function normalize(t: ThriftType, v: unknown): unknown {
  switch (t.kind) {
    case 'set':
    case 'list': {
      const items = (v as unknown[]).map((x) => normalize(t.element, x));
      return t.kind === 'set' ? items.sort(cmpJson) : items;
    }
    case 'map':
      return (v as Array<[unknown, unknown]>).map(([k, x]) => [normalize(t.key, k), normalize(t.value, x)]).sort((a, b) => cmpJson(a[0], b[0]));
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of t.struct.fields) {
        const x = (v as Record<string, unknown>)[f.name];
        if (x !== undefined) out[f.name] = normalize(f.type, x);
      }
      return out;
    }
    default:
      return v;
  }
}

function cmpJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Our JSON output (parsed, decoded with i64AsString) → canonical form. */
export function fromOurJson(t: ThriftType, v: unknown): unknown {
  switch (t.kind) {
    case 'list':
    case 'set':
      return (v as unknown[]).map((x) => fromOurJson(t.element, x));
    case 'map':
      return Object.entries(v as Record<string, unknown>).map(([k, x]) => [keyFromText(t.key, k), fromOurJson(t.value, x)]);
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of t.struct.fields) {
        const x = (v as Record<string, unknown>)[f.name];
        if (x !== undefined) out[f.name] = fromOurJson(f.type, x);
      }
      return out;
    }
    default:
      return v;
  }
}

function keyFromText(t: ThriftType, k: string): unknown {
  switch (t.kind) {
    case 'bool':
      return k === 'true';
    case 'byte':
    case 'i16':
    case 'i32':
    case 'enum':
    case 'double':
      return Number(k);
    default:
      return k;
  }
}
