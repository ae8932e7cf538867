import { describe, expect, it } from 'vitest';
import { CodecError, IdlError, RpcError, Code, codeName } from '../../src/errors/index.js';

describe('error types', () => {
  it('IdlError prefixes file:line:col', () => {
    const e = new IdlError({ file: 'a.proto', line: 3, column: 7 }, 'unknown type "Tga"');
    expect(e.message).toBe('a.proto:3:7: unknown type "Tga"');
    expect(e.reason).toBe('unknown type "Tga"');
    expect(e).toBeInstanceOf(Error);
  });
  it('CodecError prefixes the field path', () => {
    const e = new CodecError('Kitchen.inners[2].name', 'expected a string');
    expect(e.message).toBe('Kitchen.inners[2].name: expected a string');
  });
  it('RpcError names the code', () => {
    const e = new RpcError(Code.NOT_FOUND, 'no such thing');
    expect(e.message).toBe('NOT_FOUND: no such thing');
    expect(e.code).toBe(5);
    expect(codeName(20)).toBe('CODE_20');
  });
});
