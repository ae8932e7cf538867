// Differential tests against Apache Thrift's Python library (Debian
// python3-thrift, stubs generated at test time by Debian's thrift compiler):
// randomized values of an IDL with every type, both directions, binary and
// compact protocols. One Python process answers every case (JSON lines).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThriftCodec } from '../../../src/codec/thrift/index.js';
import { loadThriftFile, type ThriftRegistry } from '../../../src/idl-parser/thrift/index.js';
import type { ThriftStruct, ThriftType } from '../../../src/idl-parser/thrift/descriptor.js';
import { Gen, fromOurJson, normalize, rng } from './gen.js';
import { PYTHON, oracles } from '../../support/oracles.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/thrift-codec');
const PEER = join(import.meta.dirname, '../../peers/thrift_codec_peer.py');
const ready = oracles('thrift', 'python-thrift');
const PROTOCOLS = ['binary', 'compact'] as const;
const TYPES: Array<[string, number]> = [
  ['Everything', 120],
  ['Choice', 40],
  ['Defaults', 30],
  ['Leaf', 30],
  ['Node', 30],
  ['Empty', 2],
];

interface Req {
  op: 'encode' | 'decode';
  proto: string;
  type: string;
  hex?: string;
  value?: unknown;
}
interface Resp {
  hex?: string;
  value?: unknown;
  error?: string;
}

let dir = '';
let reg: ThriftRegistry;

/** Sends all requests to one Python process; answers in order. */
function askPython(reqs: Req[]): Resp[] {
  const r = spawnSync(PYTHON, [PEER, dir, 'tcodec', 'tbase'], { input: reqs.map((q) => JSON.stringify(q)).join('\n') + '\n', encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`python peer failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  expect(lines.length).toBe(reqs.length);
  return lines.map((l) => JSON.parse(l) as Resp);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const structType = (s: ThriftStruct): ThriftType => ({ kind: 'struct', struct: s });

beforeAll(async () => {
  if (!ready) return;
  dir = mkdtempSync(join(tmpdir(), 'idlcall-thrift-py-'));
  const g = spawnSync('thrift', ['--gen', 'py', '-r', '-out', dir, join(FIXTURES, 'tcodec.thrift')], { encoding: 'utf8' });
  if (g.status !== 0) throw new Error(`thrift --gen py failed: ${g.stderr}`);
  reg = await loadThriftFile(join(FIXTURES, 'tcodec.thrift'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ready)('differential vs Apache Thrift (Python)', () => {
  it('random values agree both ways, binary and compact', () => {
    const codec = new ThriftCodec();
    const gen = new Gen(rng(20261124));
    interface Case {
      type: ThriftStruct;
      proto: (typeof PROTOCOLS)[number];
      json: string;
      canon: unknown;
    }
    const cases: Case[] = [];
    for (const proto of PROTOCOLS) {
      for (const [name, n] of TYPES) {
        const type = reg.findStruct(name)!;
        for (let i = 0; i < n; i++) {
          const g = gen.struct(type, 0);
          cases.push({ type, proto, json: g.json, canon: g.canon });
        }
      }
      // Big containers: compact's long-form list/set/map headers and shifted elements.
      gen.maxItems = 40;
      const type = reg.findStruct('Everything')!;
      for (let i = 0; i < 10; i++) {
        const g = gen.struct(type, 0);
        cases.push({ type, proto, json: g.json, canon: g.canon });
      }
      gen.maxItems = 4;
    }
    // Ours → Python decodes; Python encodes the canonical value → ours decodes.
    const reqs: Req[] = [];
    for (const c of cases) {
      const ours = codec.encodeJson(c.type, c.json, { protocol: c.proto });
      reqs.push({ op: 'decode', proto: c.proto, type: c.type.name, hex: hex(ours) });
      reqs.push({ op: 'encode', proto: c.proto, type: c.type.name, value: c.canon });
    }
    const answers = askPython(reqs);
    let checked = 0;
    cases.forEach((c, i) => {
      const t = structType(c.type);
      const dec = answers[2 * i]!;
      const enc = answers[2 * i + 1]!;
      expect(dec.error, c.json).toBeUndefined();
      expect(normalize(t, dec.value), c.json).toEqual(normalize(t, c.canon));
      expect(enc.error, c.json).toBeUndefined();
      const pyBytes = new Uint8Array(Buffer.from(enc.hex!, 'hex'));
      const text = codec.decodeToJson(c.type, pyBytes, { protocol: c.proto, i64AsString: true });
      expect(normalize(t, fromOurJson(t, JSON.parse(text))), text).toEqual(normalize(t, c.canon));
      // i64 as exact JSON numbers: re-encoding our default output reproduces Python's bytes exactly.
      const exact = codec.decodeToJson(c.type, pyBytes, { protocol: c.proto });
      expect(hex(codec.encodeJson(c.type, exact, { protocol: c.proto })), exact).toBe(enc.hex);
      checked++;
    });
    expect(checked).toBe(cases.length);
  });

  it('missing default fields: what we write is what Python would have', () => {
    const codec = new ThriftCodec();
    const type = reg.findStruct('Defaults')!;
    const reqs: Req[] = [];
    for (const proto of PROTOCOLS) {
      reqs.push({ op: 'decode', proto, type: 'Defaults', hex: hex(codec.encodeJson(type, '{"must":"m","code":7}', { protocol: proto })) });
      reqs.push({ op: 'encode', proto, type: 'Defaults', value: { must: 'm', code: 7 } });
    }
    const a = askPython(reqs);
    const t = structType(type);
    const expected = {
      num: 42,
      text: 'hi',
      big: '9007199254740993', // optional with a default: Python's constructor sets it; we leave it out on the wire
      nums: [1, 2, 3],
      m: [['a', 1]],
      must: 'm',
      color: 42,
      ratio: 0.5,
      flag: true,
      raw: '',
      origin: { x: 1, y: 2 },
      neg: '-5',
      code: 7,
      leaf: {},
    };
    for (let i = 0; i < PROTOCOLS.length; i++) {
      expect(a[2 * i]!.error).toBeUndefined();
      expect(normalize(t, a[2 * i]!.value)).toEqual(normalize(t, expected));
      const ours = codec.decodeToJson(type, new Uint8Array(Buffer.from(a[2 * i + 1]!.hex!, 'hex')), { protocol: PROTOCOLS[i], i64AsString: true });
      const obj = JSON.parse(ours) as Record<string, unknown>;
      expect(obj.num).toBe(42);
      expect(obj.big).toBe('9007199254740993');
      expect(obj.origin).toEqual({ x: 1, y: 2 });
    }
  });
});
