/**
 * What parity with protoc cannot show: our own descriptor fields (presence,
 * effective packing, closed enums, streaming modes), editions features, the
 * registry API and import resolution rules.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IdlError } from '../../../src/errors/idl-error.js';
import type { ProtoField, ProtoMessage } from '../../../src/idl-parser/proto/descriptor.js';
import { loadProtoFile, parseProtoContent, WELL_KNOWN_SOURCES } from '../../../src/idl-parser/proto/index.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/proto');
const tmp = mkdtempSync(path.join(tmpdir(), 'idlcall-proto-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function field(m: ProtoMessage | undefined, name: string): ProtoField {
  const f = m?.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name}`);
  return f;
}

describe('services and streaming modes', () => {
  it('gives each seed method its Kitex mode', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'seed/streaming.proto'));
    expect(r.mainFile.name).toBe('streaming.proto');
    const svc = r.findService('StreamingService')!;
    expect(svc.fullName).toBe('pb.StreamingService');
    expect(svc.methods.map((m) => [m.name, m.streamingMode, m.clientStreaming, m.serverStreaming])).toEqual([
      ['StreamRequestEcho', 'client', true, false],
      ['StreamResponseEcho', 'server', false, true],
      ['BidirectionalEcho', 'bidirectional', true, true],
      ['UnaryEcho', 'unary', false, false],
    ]);
    expect(svc.methods[0]!.input).toBe(r.findMessage('pb.Request'));
  });

  it('qualifies methods with the package (search.gpt_engine)', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'search/gpt.proto'), { includeDirs: [FIXTURES] });
    expect(r.mainFile.name).toBe('search/gpt.proto');
    expect(r.services.map((s) => s.fullName)).toEqual(['search.gpt_engine.GPTStreamService']);
    const byFull = r.findService('.search.gpt_engine.GPTStreamService')!;
    expect(byFull).toBe(r.findService('GPTStreamService'));
    expect(byFull.methods[0]!.fullName).toBe('search.gpt_engine.GPTStreamService.GPTGeneration');
    expect(byFull.methods.map((m) => m.streamingMode)).toEqual(['server', 'bidirectional', 'client', 'unary']);
  });
});

describe('field semantics', () => {
  it('computes presence and packing for proto3', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'scalars.proto'));
    const m = r.findMessage('edge.scalars.AllScalars');
    expect(field(m, 'f_int32')).toMatchObject({ hasPresence: false, packed: false, label: 'optional' });
    expect(field(m, 'r_int32')).toMatchObject({ hasPresence: false, packed: true, label: 'repeated' });
    expect(field(m, 'r_string').packed).toBe(false);
    expect(field(m, 'o_int32')).toMatchObject({ hasPresence: true, proto3Optional: true, oneofIndex: 0 });
    expect(field(m, 'o_self')).toMatchObject({ hasPresence: true, type: 'message', message: m });
    expect(m!.oneofs.map((o) => [o.name, o.synthetic, o.fields.map((f) => f.name)])).toEqual([
      ['_o_int32', true, ['o_int32']],
      ['_o_string', true, ['o_string']],
      ['_o_self', true, ['o_self']],
    ]);
  });

  it('computes presence and packing for proto2', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'packed.proto'));
    const m = r.findMessage('edge.packed.Packing');
    expect(field(m, 'unpacked').packed).toBe(false);
    expect(field(m, 'packed').packed).toBe(true);
    expect(field(m, 'not_packed').packed).toBe(false);
    expect(field(m, 'enums_packed')).toMatchObject({ packed: true, type: 'enum' });
    expect(field(m, 'enums_packed').enum!.closed).toBe(true);
    const d = (await loadProtoFile(path.join(FIXTURES, 'defaults.proto'))).findMessage('edge.defaults.Defaults');
    expect(field(d, 'i32').hasPresence).toBe(true);
    expect(field(d, 'color').defaultValue).toBe('BLUE');
    expect(field(d, 'y_octal').defaultValue).toBe('\\000\\001\\001\\377\\200');
  });

  it('orders synthetic oneofs after real ones with protoc names', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'proto3_optional.proto'));
    const m = r.findMessage('edge.p3opt.Collide')!;
    expect(m.oneofs.map((o) => `${o.name}${o.synthetic ? '*' : ''}`)).toEqual([
      '_bar', 'real', '_foo*', 'XX_bar*', 'X_baz*', '_self*', '_zeta*',
    ]);
    expect(field(m, 'bar').oneofIndex).toBe(3);
    expect(m.oneofs[field(m, 'bar').oneofIndex!]!.fields).toEqual([field(m, 'bar')]);
  });

  it('builds map entry messages', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'maps.proto'));
    const m = r.findMessage('edge.maps.Maps')!;
    const f = field(m, 'snake_case_name');
    expect(f).toMatchObject({ label: 'repeated', type: 'message', hasPresence: false, packed: false });
    expect(f.mapEntry).toBe(f.message);
    expect(f.mapEntry!.fullName).toBe('edge.maps.Maps.SnakeCaseNameEntry');
    expect(f.mapEntry!.mapEntry).toBe(true);
    expect(f.mapEntry!.options).toEqual([{ name: 'map_entry', value: true }]);
    expect(f.mapEntry!.fields.map((x) => [x.name, x.number, x.type])).toEqual([
      ['key', 1, 'string'],
      ['value', 2, 'string'],
    ]);
    expect(field(m, 'enum_value').mapEntry!.fields[1]!.enum!.fullName).toBe('edge.maps.E');
    expect(field(m, '_leading').mapEntry!.name).toBe('LeadingEntry');
    expect(field(m, 'with_options')).toMatchObject({ jsonName: 'withOpts', hasJsonNameOption: true });
  });

  it('keeps option values, including aggregates', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'custom_options.proto'), { includeDirs: [FIXTURES] });
    const m = r.findMessage('edge.opts.Annotated')!;
    expect(m.options.find((o) => o.name === '(rule)')!.value).toEqual({
      name: 'msg', level: 2, tags: ['a', 'b'], child: { name: 'c' }, mode: { identifier: 'ON' },
    });
    expect(field(m, 'a').options).toEqual([
      { name: '(field_rule).name', value: 'f' },
      { name: '(max_len)', value: 9223372036854775807n },
      { name: '(aliases)', value: 'x' },
      { name: '(aliases)', value: 'y' },
    ]);
    expect(r.mainFile.options.find((o) => o.name === '(.edge.opts.file_rule).level')!.value).toBe(-3);
  });
});

describe('editions 2023', () => {
  it('resolves features into presence, labels, packing, encodings and enum openness', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'editions/features.proto'));
    expect(r.mainFile).toMatchObject({ syntax: 'editions', edition: '2023' });
    const m = r.findMessage('edge.editions.Defaults')!;
    expect(field(m, 'explicit').hasPresence).toBe(true);
    expect(field(m, 'implicit').hasPresence).toBe(false);
    expect(field(m, 'required')).toMatchObject({ label: 'required', hasPresence: true });
    expect(field(m, 'expanded').packed).toBe(false);
    expect(field(m, 'packed').packed).toBe(true);
    expect(field(m, 'delimited').type).toBe('group');
    expect(field(m, 'child').type).toBe('message');
    expect(field(m, 'children').type).toBe('message');
    expect(field(m, 'closed').enum!.closed).toBe(true);
    expect(field(m, 'open').enum!.closed).toBe(false);
    expect(field(m, 'a').hasPresence).toBe(true);
    expect(m.reservedNames).toEqual(['old_name', 'legacy']);
    expect(m.reservedRanges).toEqual([{ start: 20, end: 31 }]);
    const child = r.findMessage('edge.editions.Child')!;
    expect(field(child, 's').hasPresence).toBe(false);
    expect(field(child, 'again').hasPresence).toBe(true);
    expect(r.services[0]!.methods[0]!.streamingMode).toBe('client');
  });

  it('rejects editions other than 2023 with a clear error', () => {
    expect(() => parseProtoContent('edition = "2099";\n')).toThrow('main.proto:1:11: unsupported edition "2099"; supported editions: 2023');
  });
});

describe('registry', () => {
  it('looks names up with or without a leading dot and lists everything', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'extensions.proto'));
    expect(r.findMessage('.edge.ext.Extendable')).toBe(r.findMessage('edge.ext.Extendable'));
    expect(r.findEnum('.edge.ext.Kind')!.values.map((v) => v.name)).toEqual(['K_ONE', 'K_TWO']);
    expect(r.findExtension('edge.ext.Scope.scoped')!.extendee).toBe(r.findMessage('edge.ext.Extendable'));
    expect(r.extensionsOf('.edge.ext.Extendable').map((f) => f.fullName)).toEqual([
      'edge.ext.name', 'edge.ext.numbers', 'edge.ext.self', 'edge.ext.kind',
      'edge.ext.Scope.scoped', 'edge.ext.Scope.big', 'edge.ext.Scope.flag',
    ]);
    expect(r.findMessage('edge.ext.Extendable')!.extensionRanges).toEqual([
      { start: 100, end: 200 }, { start: 300, end: 301 }, { start: 2000, end: 536870912 }, { start: 1000, end: 2000 },
    ]);
    expect([...r.messages()].map((m) => m.fullName)).toEqual(['edge.ext.Extendable', 'edge.ext.Scope']);
    expect([...r.enums()].length).toBe(1);
    expect(r.findMessage('edge.ext.Nope')).toBeUndefined();
  });

  it('orders files dependencies first, main file last', async () => {
    const r = await loadProtoFile(path.join(FIXTURES, 'imports/main.proto'), { includeDirs: [FIXTURES] });
    expect(r.files.map((f) => f.name)).toEqual([
      'imports/common/base.proto',
      'google/protobuf/timestamp.proto',
      'imports/other/reexport.proto',
      'imports/other/chain.proto',
      'imports/common/weak_dep.proto',
      'imports/main.proto',
    ]);
    expect(r.mainFile.weakDependencies).toEqual([1]);
    expect(field(r.findMessage('edge.imports.UsesImports'), 'relative_base').message!.fullName).toBe('edge.common.Base');
  });
});

describe('import resolution', () => {
  it('prefers a file found through includeDirs over the built-in copy', async () => {
    const dir = path.join(tmp, 'override');
    mkdirSync(path.join(dir, 'google/protobuf'), { recursive: true });
    writeFileSync(path.join(dir, 'google/protobuf/empty.proto'), 'syntax = "proto3";\npackage google.protobuf;\nmessage Empty { int32 marker = 1; }\n');
    const main = path.join(tmp, 'override-main');
    mkdirSync(main, { recursive: true });
    writeFileSync(path.join(main, 'main.proto'), 'syntax = "proto3";\nimport "google/protobuf/empty.proto";\nmessage M { google.protobuf.Empty e = 1; }\n');
    const r = await loadProtoFile(path.join(main, 'main.proto'), { includeDirs: [dir] });
    expect(r.findMessage('google.protobuf.Empty')!.fields.map((f) => f.name)).toEqual(['marker']);
    const builtin = await loadProtoFile(path.join(main, 'main.proto'));
    expect(builtin.findMessage('google.protobuf.Empty')!.fields).toEqual([]);
  });

  it('checks standard options against a newer descriptor.proto when one is loaded', () => {
    const newer = WELL_KNOWN_SOURCES['google/protobuf/descriptor.proto']!.replace(
      'message FieldOptions {',
      'message FieldOptions {\n  optional int32 retention = 17;',
    );
    const main = 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nmessage M { optional int32 a = 1 [retention = 1]; }\n';
    expect(parseProtoContent(main, { files: { 'google/protobuf/descriptor.proto': newer } }).findMessage('M')).toBeDefined();
    expect(() => parseProtoContent(main)).toThrow('main.proto:3:35: unknown option "retention" in FieldOptions');
  });

  it('resolves imports relative to the importing file', async () => {
    const dir = path.join(tmp, 'relative/sub');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'dep.proto'), 'syntax = "proto3";\npackage rel;\nmessage Dep {}\n');
    writeFileSync(path.join(dir, 'main.proto'), 'syntax = "proto3";\npackage rel;\nimport "dep.proto";\nmessage M { Dep d = 1; }\n');
    const r = await loadProtoFile(path.join(dir, 'main.proto'));
    expect(r.files.map((f) => f.name)).toEqual(['dep.proto', 'main.proto']);
  });

  it('takes in-memory files before built-ins and reports errors in them by name', () => {
    const r = parseProtoContent('syntax = "proto3";\nimport "google/protobuf/any.proto";\nmessage M { google.protobuf.Any a = 1; }\n', {
      files: { 'google/protobuf/any.proto': 'syntax = "proto3";\npackage google.protobuf;\nmessage Any { string only = 1; }\n' },
    });
    expect(r.findMessage('google.protobuf.Any')!.fields.map((f) => f.name)).toEqual(['only']);
    expect(() => parseProtoContent('import "x.proto";', { files: { 'x.proto': 'message {' } })).toThrow(
      'x.proto:1:9: expected message name, found "{"',
    );
  });

  it('throws IdlError for unreadable main files and missing imports on disk', async () => {
    await expect(loadProtoFile(path.join(tmp, 'missing.proto'))).rejects.toBeInstanceOf(IdlError);
    const dir = path.join(tmp, 'broken');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'main.proto'), 'syntax = "proto3";\nimport "gone.proto";\n');
    await expect(loadProtoFile(path.join(dir, 'main.proto'), { includeDirs: [dir] })).rejects.toThrow(
      `main.proto:2:8: import "gone.proto" was not found (searched: ${path.join(dir, 'gone.proto')}, the built-in google/protobuf files)`,
    );
  });
});
