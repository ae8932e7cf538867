import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { IdlError } from '../../../src/errors/idl-error.js';
import { loadThriftFile, parseThriftContent } from '../../../src/idl-parser/thrift/index.js';
import { malformed } from './malformed-cases.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/thrift');

function errorOf(fn: () => unknown): IdlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdlError) return e;
    throw e;
  }
  throw new Error('expected an IdlError, but parsing succeeded');
}

describe('malformed IDL', () => {
  test('the table has at least 40 cases', () => {
    expect(malformed.length).toBeGreaterThanOrEqual(40);
  });

  test.each(malformed)('$name', (c) => {
    const e = errorOf(() => parseThriftContent(c.src, { files: c.files, mainName: 'bad.thrift' }));
    const file = c.file ?? 'bad.thrift';
    expect({ file: e.file, line: e.line, column: e.column, reason: e.reason }).toEqual({ file, line: c.line, column: c.column, reason: c.message });
    expect(e.message).toBe(`${file}:${c.line}:${c.column}: ${c.message}`);
  });
});

describe('malformed IDL on disk', () => {
  test('a missing include names the including file and the places searched', async () => {
    const main = resolve(FIXTURES, 'errors/missing-include.thrift');
    const e = await loadThriftFile(main, { includeDirs: [FIXTURES] }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(IdlError);
    const err = e as IdlError;
    expect([err.file, err.line, err.column]).toEqual([main, 3, 1]);
    expect(err.reason).toBe(
      `cannot find included file "does/not/exist.thrift" (looked in: ${resolve(FIXTURES, 'errors/does/not/exist.thrift')}, ${resolve(FIXTURES, 'does/not/exist.thrift')})`,
    );
  });

  test('an include cycle across directories is reported where it closes', async () => {
    const main = resolve(FIXTURES, 'errors/cycle-a.thrift');
    const e = await loadThriftFile(main).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(IdlError);
    const err = e as IdlError;
    expect([err.file, err.line, err.column, err.reason]).toEqual([
      resolve(FIXTURES, 'errors/cycle/cycle-b.thrift'), 2, 1, 'include cycle: cycle-a.thrift -> cycle-b.thrift -> cycle-a.thrift',
    ]);
  });

  test('a missing main file rejects with the fs error', async () => {
    await expect(loadThriftFile(resolve(FIXTURES, 'errors/none.thrift'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
