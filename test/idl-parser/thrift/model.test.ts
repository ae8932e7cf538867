/** What the parity test cannot see: the model's own fields (typedef names, Kitex annotations, args/result structs, look-ups). */
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadThriftFile, parseThriftContent } from '../../../src/idl-parser/thrift/index.js';
import type { ThriftField, ThriftStruct, ThriftType } from '../../../src/idl-parser/thrift/index.js';

const PARITY = resolve(import.meta.dirname, '../../fixtures/thrift/parity');
const INC = join(PARITY, 'inc');

function field(s: ThriftStruct | undefined, name: string): ThriftField {
  const f = s?.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no field ${name}`);
  return f;
}

function shape(t: ThriftType): unknown {
  switch (t.kind) {
    case 'list':
    case 'set':
      return { kind: t.kind, typedefName: t.typedefName, element: shape(t.element) };
    case 'map':
      return { kind: t.kind, typedefName: t.typedefName, key: shape(t.key), value: shape(t.value) };
    case 'enum':
      return { kind: 'enum', typedefName: t.typedefName, enum: t.enum.fullName };
    case 'struct':
      return { kind: 'struct', typedefName: t.typedefName, struct: t.struct.fullName };
    default:
      return { kind: t.kind, typedefName: t.typedefName };
  }
}

describe('the seed IDL', async () => {
  const r = await loadThriftFile(join(PARITY, 'seed-streaming.thrift'));
  const svc = r.findService('TestService')!;

  test('streaming modes come from streaming.mode; no annotation is ping-pong', () => {
    expect([...svc.functions.values()].map((f) => [f.name, f.streamingMode])).toEqual([
      ['Echo', 'bidirectional'], ['EchoClient', 'client'], ['EchoServer', 'server'], ['EchoUnary', 'unary'], ['EchoPingPong', 'none'],
    ]);
  });

  test('each function has its args and result structs', () => {
    const f = svc.functions.get('EchoUnary')!;
    expect(f.argsStruct.name).toBe('TestService_EchoUnary_args');
    expect(f.argsStruct.fields.map((x) => [x.id, x.name, x.type.kind === 'struct' && x.type.struct.name])).toEqual([[1, 'req', 'Request']]);
    expect(f.resultStruct.name).toBe('TestService_EchoUnary_result');
    expect(f.resultStruct.fields.map((x) => [x.id, x.name, x.requiredness])).toEqual([[0, 'success', 'optional']]);
    expect(f.service).toBe(svc);
    expect(r.services).toEqual([svc]);
    expect(r.mainFile.namespaces.get('go')).toBe('echo');
  });
});

describe('services', async () => {
  const r = await loadThriftFile(join(PARITY, 'service-extends-include.thrift'), { includeDirs: [INC] });

  test('inherited functions are visible on the child, across includes', () => {
    const grand = r.findService('GrandChild')!;
    expect([...grand.functions.keys()]).toEqual(['health', 'reset', 'work', 'status']);
    expect(grand.ownFunctions.map((f) => f.name)).toEqual(['status']);
    expect(grand.functions.get('reset')!.service.fullName).toBe('shared_base.BaseService');
    expect(grand.extends?.name).toBe('Child');
    expect(grand.extends?.extends).toBe(r.findService('shared_base.BaseService'));
  });

  test('result structs carry success then the declared exceptions, all optional', () => {
    const work = r.findService('Child')!.functions.get('work')!;
    expect(work.resultStruct.fields.map((f) => [f.id, f.name, f.requiredness])).toEqual([[0, 'success', 'optional'], [1, 'err', 'optional']]);
    expect(work.throws.map((f) => [f.id, f.name, f.requiredness])).toEqual([[1, 'err', 'default']]);
    const reset = r.findService('shared_base.BaseService')!.functions.get('reset')!;
    expect(reset.returnType).toEqual({ kind: 'void' });
    expect(reset.resultStruct.fields.map((f) => f.name)).toEqual(['err']);
    expect(reset.args[0]!.type).toMatchObject({ kind: 'i64', typedefName: 'EntityId' });
  });

  test('oneway functions have no success field', async () => {
    const t = await loadThriftFile(join(PARITY, 'throws-include.thrift'), { includeDirs: [INC] });
    const fire = t.findService('Throwing')!.functions.get('fire')!;
    expect(fire.oneway).toBe(true);
    expect(fire.resultStruct.fields).toEqual([]);
    expect(fire.argsStruct.fullName).toBe('throws-include.Throwing_fire_args');
  });
});

describe('types', async () => {
  const r = await loadThriftFile(join(PARITY, 'includes-dirs.thrift'), { includeDirs: [INC] });

  test('typedef chains resolve to wire types and keep the declared name', () => {
    const top = r.findStruct('Top');
    expect(shape(field(top, 'label').type)).toEqual({ kind: 'string', typedefName: 'TopLabel' });
    expect(shape(field(top, 'id').type)).toEqual({ kind: 'i64', typedefName: 'TopId' });
    expect(r.findTypedef('TopLabel')!.type).toMatchObject({ kind: 'string', typedefName: 'sub_types.SubLabelAlias' });
    expect(r.findTypedef('sub_types.SubLabelAlias')!.type).toMatchObject({ kind: 'string', typedefName: 'SubLabel' });
    expect(shape(field(top, 'byStatus').type)).toEqual({
      kind: 'map', typedefName: undefined,
      key: { kind: 'enum', typedefName: undefined, enum: 'shared_base.Status' },
      value: { kind: 'struct', typedefName: undefined, struct: 'sub_types.SubThing' },
    });
  });

  test('defaults and constants are evaluated across includes', () => {
    const top = r.findStruct('Top');
    expect(field(top, 'status').defaultValue).toEqual({ kind: 'int', value: 1n });
    expect(field(top, 'limit').defaultValue).toEqual({ kind: 'int', value: 50n });
    expect(r.findConst('TOP_STATUS')!.value).toEqual({ kind: 'int', value: -1n });
    expect(r.findConst('TOP_THING')!.value).toEqual({
      kind: 'struct', fields: [['label', { kind: 'string', value: 't' }], ['depth', { kind: 'int', value: 2n }]],
    });
    expect(r.findConst('sub_types.SUB_DEPTH')!.type).toMatchObject({ kind: 'enum' });
  });

  test('files come includes first, main last, each once', () => {
    expect(r.files.map((f) => f.includeName)).toEqual(['deep_types', 'sub_types', 'shared_base', 'includes-dirs']);
    expect(r.mainFile).toBe(r.files.at(-1));
    const d = parseThriftContent('include "l.thrift"\ninclude "r.thrift"', {
      files: { 'l.thrift': 'include "root.thrift"', 'r.thrift': 'include "root.thrift"', 'root.thrift': 'struct R {}' },
    });
    expect(d.files.map((f) => f.path)).toEqual(['root.thrift', 'l.thrift', 'r.thrift', 'main.thrift']);
    expect(d.files[1]!.includes[0]).toBe(d.files[2]!.includes[0]);
  });

  test('look-ups take plain names in the main file and qualified names in includes', () => {
    expect(r.findStruct('Top')?.fullName).toBe('includes-dirs.Top');
    expect(r.findStruct('sub_types.SubThing')?.name).toBe('SubThing');
    expect(r.findStruct('SubThing')).toBeUndefined();
    expect(r.findEnum('shared_base.Status')?.values.map((v) => v.value)).toEqual([0, 1, -1]);
    expect(r.findService('TopService')?.name).toBe('TopService');
    expect(r.findTypedef('shared_base.RawId')?.type).toMatchObject({ kind: 'i64', annotations: [{ key: 'go.type', value: 'int64' }] });
    expect(r.findTypedef('shared_base.RawId')?.annotations).toEqual([]);
    expect(r.findConst('nope.X')).toBeUndefined();
  });

  test('large i64 constants stay exact', async () => {
    const l = await loadThriftFile(join(PARITY, 'large-ints.thrift'));
    expect(l.findConst('ABOVE_2_53')!.value).toEqual({ kind: 'int', value: 9007199254740993n });
    expect(l.findConst('MIN_I64')!.value).toEqual({ kind: 'int', value: -(2n ** 63n) });
  });

  test('uuid is a base type (Thrift 0.19+, thriftgo), though the 0.17 compiler rejects it', () => {
    const u = parseThriftContent('struct U { 1: uuid id = "00000000-0000-0000-0000-000000000000" }');
    expect(field(u.findStruct('U'), 'id')).toMatchObject({ type: { kind: 'uuid' }, defaultValue: { kind: 'string' } });
  });

  test('byte and i8 are one type; union members are optional; optional arguments are default', () => {
    const b = parseThriftContent('struct A { 1: byte a, 2: i8 b }\nunion U { 1: required i32 x }\nservice S { void f(1: optional i32 a) }');
    expect(b.findStruct('A')!.fields.map((f) => f.type.kind)).toEqual(['byte', 'byte']);
    expect(field(b.findStruct('U'), 'x').requiredness).toBe('optional');
    expect(b.findService('S')!.functions.get('f')!.args[0]!.requiredness).toBe('default');
  });
});

describe('Kitex annotations', async () => {
  const r = await loadThriftFile(join(PARITY, 'kitex-http.thrift'));
  const s = await loadThriftFile(join(PARITY, 'kitex-streaming.thrift'), { includeDirs: [INC] });

  test('go.tag json aliases: text before the first comma, "-" kept as a name (Kitex), none for an empty alias', () => {
    const req = s.findStruct('Request');
    expect(field(req, 'message').goTagJsonName).toBe('msg');
    expect(field(req, 'seq').goTagJsonName).toBe('seq_no');
    expect(field(req, 'hidden').goTagJsonName).toBe('-');
    expect(field(req, 'hidden').goTagJsonIgnored).toBe(true);
    expect(field(req, 'message').goTagJsonIgnored).toBe(false);
    expect(field(req, 'plain').goTagJsonName).toBeUndefined();
    expect(field(req, 'Base').goTagJsonName).toBeUndefined();
    const q = r.findStruct('QueryReq');
    expect(field(q, 'Keyword').goTagJsonName).toBe('keyword');
    expect(field(q, 'Secret').goTagJsonName).toBe('-');
    expect(field(q, 'Secret').goTagJsonIgnored).toBe(true);
    expect(field(q, 'Odd').goTagJsonName).toBe('odd_name');
  });

  test('api.* annotations are kept in order on fields, functions and services', () => {
    expect(field(r.findStruct('QueryReq'), 'UserId').annotations).toEqual([
      { key: 'api.path', value: 'user_id' }, { key: 'api.js_conv', value: 'true' },
    ]);
    const svc = r.findService('HttpService')!;
    expect(svc.functions.get('Query')!.annotations).toEqual([
      { key: 'api.get', value: '/api/users/:user_id' }, { key: 'api.category', value: 'user' },
    ]);
    expect(svc.annotations.map((a) => a.key)).toEqual(['api.base_domain', 'api.service_path']);
    expect(s.findService('StreamService')!.functions.get('Http')!.streamingMode).toBe('none');
  });

  test('a bare annotation flag has the value "1", as in the compiler', () => {
    const a = parseThriftContent('struct A { 1: i32 a (flag, k = "v") }');
    expect(field(a.findStruct('A'), 'a').annotations).toEqual([{ key: 'flag', value: '1' }, { key: 'k', value: 'v' }]);
  });
});

describe('parseThriftContent', () => {
  test('resolves includes relative to the includer, then includeDirs, and names the main file', () => {
    const r = parseThriftContent('include "api/svc.thrift"\nservice Main extends svc.Api {}', {
      mainName: 'idl/main.thrift',
      includeDirs: ['common'],
      files: {
        'idl/api/svc.thrift': 'include "base.thrift"\nservice Api { base.Tag tag() }',
        'common/base.thrift': 'enum Tag { A }',
      },
    });
    expect(r.files.map((f) => f.path)).toEqual(['common/base.thrift', 'idl/api/svc.thrift', 'idl/main.thrift']);
    expect(r.mainFile.includeName).toBe('main');
    expect(r.findService('Main')!.functions.get('tag')!.returnType).toMatchObject({ kind: 'enum', enum: { fullName: 'base.Tag' } });
  });

  test('names that exist on Object.prototype are ordinary names', () => {
    const r = parseThriftContent('struct toString { 1: constructor c }\nstruct constructor {}\nconst i32 valueOf = 1\nconst i32 x = valueOf');
    expect(r.findStruct('toString')!.fields[0]!.type).toMatchObject({ kind: 'struct', struct: { name: 'constructor' } });
    expect(r.findConst('x')!.value).toEqual({ kind: 'int', value: 1n });
    expect(() => parseThriftContent('include "hasOwnProperty"', { files: {} })).toThrow('cannot find included file');
  });

  test('a byte order mark and CRLF line ends are whitespace; positions stay right', () => {
    expect(parseThriftContent('\uFEFFstruct A {\r\n  1: i32 a\r\n}\r\n').findStruct('A')!.fields).toHaveLength(1);
    expect(() => parseThriftContent('\uFEFFstruct A {\r\n  1: i32\r\n}')).toThrow('main.thrift:3:1: expected the field name');
    expect(() => parseThriftContent('\uFEFF@')).toThrow('main.thrift:1:1: unexpected character');
  });

  test('an absolute include path is used as is', async () => {
    const abs = join(INC, 'diamond_root.thrift');
    const r = parseThriftContent(`include "${abs}"\nconst i32 N = diamond_root.ROOT_CONST`, { files: { [abs]: 'const i32 ROOT_CONST = 3' } });
    expect(r.findConst('N')!.value).toEqual({ kind: 'int', value: 3n });
    const d = await loadThriftFile(join(PARITY, 'includes-diamond.thrift'), { includeDirs: [INC] });
    expect(d.files.filter((f) => f.path === abs)).toHaveLength(1);
  });

  test('an empty file is a valid file', () => {
    const r = parseThriftContent('');
    expect(r.mainFile).toMatchObject({ includeName: 'main', structs: [], services: [], constants: [] });
  });
});
