import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonThriftGeneric, newGenericServer, thriftException, thriftFileProvider, type GenericServer } from '../../src/index.js';
import { PYTHON, oracles } from '../support/oracles.js';

// Apache Thrift's Python client (THeader, Framed, Buffered; binary and compact) against our
// generic server for an IDL with includes, extends, void, oneway, multi-argument and
// zero-argument functions, and declared exceptions.
const IDL = 'test/fixtures/generic/kitchen.thrift';
const ready = oracles('thrift', 'python-thrift');

let server: GenericServer<string, string>;
const notes: string[] = [];

beforeAll(async () => {
  const generic = jsonThriftGeneric(await thriftFileProvider(IDL));
  server = newGenericServer(generic, {
    Ping: (text) => JSON.stringify(`pong: ${JSON.parse(text)}`),
    Cook: (item) => {
      const name = (JSON.parse(item) as { name: string }).name;
      if (name === 'burnt') throw thriftException('KitchenError', '{"code":7,"message":"boom"}');
      if (name === 'base') throw thriftException('base.BaseError', '{"code":8,"message":"base boom"}');
      if (name === 'crash') throw new Error('kaboom');
      // Edit the text, not a parsed copy: count is 2^53 + 1 and must come back exact.
      return item.replace('"name":"soup"', '"name":"soup (cooked)"');
    },
    Clean: () => 'null',
    Notify: (note) => {
      notes.push(JSON.parse(note) as string);
      return 'null';
    },
    Count: (args) => {
      const { items, deep } = JSON.parse(args) as { items: unknown[]; deep: boolean };
      return String(items.length * (deep ? 10 : 1));
    },
    Notes: (args) => JSON.stringify(`notes for ${args}`),
  });
  await server.start();
});

afterAll(async () => {
  await server?.close();
});

function runPythonClient(transport: string, protocol: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, ['test/peers/thrift_client.py', IDL, String(server.address.port), transport, protocol]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 25_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`python client exited ${code}: ${err}`));
      else resolve(out.trim().split('\n'));
    });
  });
}

const cases = [
  ['theader', 'binary'],
  ['theader', 'compact'],
  ['framed', 'binary'],
  ['framed', 'compact'],
  ['buffered', 'binary'],
  ['buffered', 'compact'],
] as const;

describe.skipIf(!ready)('generic server ⇄ Apache Thrift Python client', () => {
  it.each(cases)('%s transport, %s protocol: every reply exact', async (transport, protocol) => {
    const lines = await runPythonClient(transport, protocol);
    const byCall = Object.fromEntries(lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((r) => [r['call'], r]));
    // Python ints are exact and JSON.parse is not: check the 64-bit value in the text.
    expect(lines.find((l) => l.includes('"call": "Cook"'))).toContain('"count": 9007199254740993');
    expect(byCall['Ping']).toEqual({ call: 'Ping', result: 'pong: hello' });
    expect(byCall['Cook']).toEqual({
      call: 'Cook',
      result: {
        name: 'soup (cooked)',
        count: 2 ** 53,
        tags: [{ key: 'hot', value: -1 }],
        scores: { taste: 9.5 },
        color: 1,
        blob: '\u0000\u00ff',
        ids: [1, 2, 3],
        flag: true,
        small: -300,
        tiny: -7,
      },
    });
    expect(byCall['CookFails']).toEqual({ call: 'CookFails', error: 'KitchenError', fields: { code: 7, message: 'boom' } });
    expect(byCall['CookBaseFails']).toEqual({ call: 'CookBaseFails', error: 'BaseError', fields: { code: 8, message: 'base boom' } });
    expect(byCall['Clean']).toEqual({ call: 'Clean', result: null });
    expect(byCall['Notify']).toEqual({ call: 'Notify', result: null });
    expect(byCall['Count']).toEqual({ call: 'Count', result: 20 });
    expect(byCall['Notes']).toEqual({ call: 'Notes', result: 'notes for {}' });
    expect(byCall['Unimplemented']).toMatchObject({ call: 'Unimplemented', error: 'TApplicationException', message: 'kaboom' });
    expect(notes).toContain('fire and forget');
  });
});
