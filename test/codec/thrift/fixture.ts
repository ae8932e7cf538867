// The codec fixture IDL, loaded once per test file through the real parser.
import { join } from 'node:path';
import { loadThriftFile, type ThriftRegistry } from '../../../src/idl-parser/thrift/index.js';
import type { ThriftFunction, ThriftStruct } from '../../../src/idl-parser/thrift/descriptor.js';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/thrift-codec');

let cached: Promise<ThriftRegistry> | undefined;

/** tcodec.thrift (includes tbase.thrift). */
export function fixture(): Promise<ThriftRegistry> {
  return (cached ??= loadThriftFile(join(FIXTURES, 'tcodec.thrift')));
}

export function st(reg: ThriftRegistry, name: string): ThriftStruct {
  const s = reg.findStruct(name);
  if (s === undefined) throw new Error(`no struct ${name}`);
  return s;
}

export function fnOf(reg: ThriftRegistry, name: string): ThriftFunction {
  const f = reg.findService('CodecService')!.functions.get(name);
  if (f === undefined) throw new Error(`no function ${name}`);
  return f;
}
