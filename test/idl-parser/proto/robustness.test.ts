/**
 * Never a crash: truncated and mangled versions of the corpus either parse or
 * fail with IdlError (no TypeError, RangeError or partial registry).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdlError } from '../../../src/errors/idl-error.js';
import { parseProtoContent } from '../../../src/idl-parser/proto/index.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/proto');

function readAll(dir: string, out: Record<string, string> = {}): Record<string, string> {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) readAll(p, out);
    else if (e.endsWith('.proto')) out[path.relative(FIXTURES, p)] = readFileSync(p, 'utf8');
  }
  return out;
}

const PIECES = ['{', '}', ';', '=', '"', "'", '-', '.', '(', ')', '[', ']', '<', '>', ',', '0x', 'max', 'to', 'optional',
  'map', 'stream', '1e', '\\', '/*', 'group', 'oneof', 'extend', 'reserved', 'inf', '99999999999999999999'];

describe('robustness', () => {
  it('reports every mangled input as IdlError or parses it', () => {
    const files = readAll(FIXTURES);
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let failures = 0;
    let parsed = 0;
    for (const [name, text] of Object.entries(files)) {
      const variants: string[] = [];
      for (let i = 0; i < text.length; i += 41) variants.push(text.slice(0, i));
      for (let k = 0; k < 25; k++) {
        const i = Math.floor(rnd() * text.length);
        const piece = PIECES[Math.floor(rnd() * PIECES.length)]!;
        variants.push(text.slice(0, i) + piece + text.slice(i + (rnd() < 0.3 ? 1 : 0)));
      }
      for (const v of variants) {
        try {
          parseProtoContent(v, { files, mainName: name });
          parsed++;
        } catch (e) {
          if (!(e instanceof IdlError)) throw e;
          failures++;
        }
      }
    }
    expect(failures).toBeGreaterThan(500);
    expect(parsed).toBeGreaterThan(0);
  });
});
