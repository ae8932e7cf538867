// Hand-built Thrift descriptors for codec tests that must not depend on the parser.
import type {
  ThriftAnnotations,
  ThriftConstValue,
  ThriftEnum,
  ThriftField,
  ThriftFile,
  ThriftFunction,
  ThriftRequiredness,
  ThriftService,
  ThriftStruct,
  ThriftType,
} from '../../../src/idl-parser/thrift/descriptor.js';

export const file: ThriftFile = {
  path: 'test.thrift',
  includeName: 'test',
  namespaces: new Map(),
  includes: [],
  cppIncludes: [],
  typedefs: [],
  constants: [],
  enums: [],
  structs: [],
  services: [],
};

export const T = {
  bool: { kind: 'bool' } as ThriftType,
  byte: { kind: 'byte' } as ThriftType,
  i16: { kind: 'i16' } as ThriftType,
  i32: { kind: 'i32' } as ThriftType,
  i64: { kind: 'i64' } as ThriftType,
  double: { kind: 'double' } as ThriftType,
  string: { kind: 'string' } as ThriftType,
  binary: { kind: 'binary' } as ThriftType,
  uuid: { kind: 'uuid' } as ThriftType,
  list: (element: ThriftType): ThriftType => ({ kind: 'list', element }),
  set: (element: ThriftType): ThriftType => ({ kind: 'set', element }),
  map: (key: ThriftType, value: ThriftType): ThriftType => ({ kind: 'map', key, value }),
  struct: (s: ThriftStruct): ThriftType => ({ kind: 'struct', struct: s }),
  enum: (e: ThriftEnum): ThriftType => ({ kind: 'enum', enum: e }),
};

export interface FieldOpts {
  req?: ThriftRequiredness;
  def?: ThriftConstValue;
  alias?: string;
  annotations?: ThriftAnnotations;
}

export function field(id: number, name: string, type: ThriftType, o: FieldOpts = {}): ThriftField {
  return {
    id,
    name,
    type,
    requiredness: o.req ?? 'default',
    defaultValue: o.def,
    annotations: o.annotations ?? [],
    goTagJsonName: o.alias,
    goTagJsonIgnored: false,
  };
}

/** A struct whose fields may be filled in later (for recursive types). */
export function struct(name: string, fields: ThriftField[], kind: ThriftStruct['kind'] = 'struct'): ThriftStruct {
  return { kind, name, fullName: `test.${name}`, file, fields, annotations: [] };
}

export function enumType(name: string, values: Array<[string, number]>): ThriftEnum {
  return { name, fullName: `test.${name}`, file, values: values.map(([n, v]) => ({ name: n, value: v, annotations: [] })), annotations: [] };
}

export const C = {
  int: (v: number | bigint): ThriftConstValue => ({ kind: 'int', value: BigInt(v) }),
  str: (value: string): ThriftConstValue => ({ kind: 'string', value }),
  dbl: (value: number): ThriftConstValue => ({ kind: 'double', value }),
  bool: (value: boolean): ThriftConstValue => ({ kind: 'bool', value }),
  list: (...items: ThriftConstValue[]): ThriftConstValue => ({ kind: 'list', items }),
  map: (...entries: Array<[ThriftConstValue, ThriftConstValue]>): ThriftConstValue => ({ kind: 'map', entries }),
};

const service: ThriftService = {
  name: 'Svc',
  fullName: 'test.Svc',
  file,
  extends: undefined,
  ownFunctions: [],
  functions: new Map(),
  annotations: [],
};

/** A function with args/result structs built the way the parser builds them. */
export function fn(name: string, args: ThriftField[], returnType: ThriftType | 'void', throws: ThriftField[] = []): ThriftFunction {
  const argsStruct = struct(`Svc_${name}_args`, args);
  const resultFields: ThriftField[] = [];
  if (returnType !== 'void') resultFields.push(field(0, 'success', returnType, { req: 'optional' }));
  for (const t of throws) resultFields.push({ ...t, requiredness: 'optional' });
  const resultStruct = struct(`Svc_${name}_result`, resultFields);
  return {
    name,
    oneway: false,
    returnType: returnType === 'void' ? { kind: 'void' } : returnType,
    args,
    throws,
    streamingMode: 'none',
    annotations: [],
    service,
    argsStruct,
    resultStruct,
  };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
