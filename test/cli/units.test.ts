/** The CLI's building blocks in-process: histogram, JSON document splitter, argv parser, text helpers. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { prettyJson, parseDuration, parseHeaders } from '../../src/cli/format.js';
import { LatencyHistogram } from '../../src/cli/histogram.js';
import { parseTarget } from '../../src/cli/idl.js';
import { JsonDocumentSplitter } from '../../src/cli/ndjson.js';

describe('LatencyHistogram', () => {
  it('percentiles are within 1% of the exact ones; min/max exact', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31; // deterministic spread over 0–~2000 ms
      const v = (x % 2_000_000) / 1000;
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [0.5, 0.9, 0.99, 0.999]) {
      const exact = values[Math.ceil(p * values.length) - 1]!;
      expect(Math.abs(h.percentile(p) - exact)).toBeLessThanOrEqual(exact * 0.01 + 0.001);
    }
    expect(h.max).toBe(values[values.length - 1]);
    expect(h.min).toBe(values[0]);
    expect(h.count).toBe(20_000);
  });

  it('handles empty, tiny and huge values', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(0.5)).toBe(0);
    h.record(0);
    h.record(10 * 60 * 60 * 1000); // 10 h: clamped to the top bucket
    expect(h.percentile(0.5)).toBe(0);
    expect(h.max).toBeGreaterThan(2_000_000);
  });
});

describe('JsonDocumentSplitter', () => {
  it('yields documents whatever the chunking: NDJSON, pretty, glued, scalars, braces in strings, array elements', () => {
    const text = '{"a":1}\n{\n  "b": "x}{\\"y"\n}{"c":[1,{"d":2}]} "s" 12 true\n[1, {"e":[3]},"t" , [4] ,null]{"f":0}';
    const expected = ['{"a":1}', '{\n  "b": "x}{\\"y"\n}', '{"c":[1,{"d":2}]}', '"s"', '12', 'true', '1', '{"e":[3]}', '"t"', '[4]', 'null', '{"f":0}'];
    for (const size of [1, 2, 3, 7, text.length]) {
      const s = new JsonDocumentSplitter();
      const docs: string[] = [];
      for (let i = 0; i < text.length; i += size) docs.push(...s.push(text.slice(i, i + size)));
      docs.push(...s.end());
      expect(docs).toEqual(expected);
    }
  });

  it('a top-level array stands for its elements (ghz data arrays)', () => {
    const split = new JsonDocumentSplitter();
    expect([...split.push('[{"a":1},\n {"a":2}]\n'), ...split.end()]).toEqual(['{"a":1}', '{"a":2}']);
    const nested = new JsonDocumentSplitter();
    expect([...nested.push('[[1,2],[3]]'), ...nested.end()]).toEqual(['[1,2]', '[3]']);
    const empty = new JsonDocumentSplitter();
    expect([...empty.push('[ ]'), ...empty.end()]).toEqual([]);
  });

  it('passes an unfinished document on at the end (for the codec to reject)', () => {
    const s = new JsonDocumentSplitter();
    expect(s.push('{"a":1}\n{"b":')).toEqual(['{"a":1}']);
    expect(s.end()).toEqual(['{"b":']);
  });
});

describe('argv and text helpers', () => {
  it('parses long, short, inline, repeated and boolean flags', () => {
    const a = parseArgs(['x', '--idl=f.proto', '-I', 'a', '-Ib', '-H', 'k: v', '-v', '--', '-d'], [
      { name: 'idl', kind: 'string' },
      { name: 'import-path', short: 'I', kind: 'list' },
      { name: 'header', short: 'H', kind: 'list' },
      { name: 'verbose', short: 'v', kind: 'boolean' },
    ], 'call');
    expect(a.positionals).toEqual(['x', '-d']);
    expect(a.strings.get('idl')).toBe('f.proto');
    expect(a.lists.get('import-path')).toEqual(['a', 'b']);
    expect(a.booleans.has('verbose')).toBe(true);
    expect(() => parseArgs(['--idll', 'x'], [{ name: 'idl', kind: 'string' }], 'call')).toThrow(/did you mean --idl/);
    expect(() => parseArgs(['--idl'], [{ name: 'idl', kind: 'string' }], 'call')).toThrow(/needs a value/);
  });

  it('pretty-prints without touching numbers; parses durations, headers and targets', () => {
    expect(prettyJson('{"id":9007199254740993,"a":[],"b":{"c":"x,y:{"}}')).toBe(
      '{\n  "id": 9007199254740993,\n  "a": [],\n  "b": {\n    "c": "x,y:{"\n  }\n}',
    );
    expect(parseDuration('250ms', '--timeout')).toBe(250);
    expect(parseDuration('2s', '--timeout')).toBe(2000);
    expect(parseDuration('1.5m', '--timeout')).toBe(90_000);
    expect(() => parseDuration('soon', '--timeout')).toThrow(/--timeout/);
    expect(parseHeaders(['X-A: 1', 'x-a: 2', 'b:3'])).toEqual({ 'x-a': ['1', '2'], b: '3' });
    expect(parseTarget('search.gpt.Svc/Ask', 'call')).toEqual({ service: 'search.gpt.Svc', method: 'Ask' });
    expect(parseTarget('pb.Svc.Ask', 'call')).toEqual({ service: 'pb.Svc', method: 'Ask' });
    expect(parseTarget('Ask', 'call')).toEqual({ service: undefined, method: 'Ask' });
  });
});
