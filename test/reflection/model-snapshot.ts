/**
 * Every fact of our descriptors that codecs and generics use, as plain data, so descriptors
 * built two ways (parsed `.proto`, decoded descriptor set) can be compared with one deep
 * equality. Options are compared elsewhere, as encoded bytes.
 */
import type { ProtoEnum, ProtoField, ProtoFile, ProtoMessage, ProtoService } from '../../src/idl-parser/proto/descriptor.js';

type Json = { [key: string]: unknown };

function field(f: ProtoField): Json {
  return {
    name: f.name, fullName: f.fullName, number: f.number, label: f.label, type: f.type,
    ref: (f.message ?? f.enum)?.fullName, jsonName: f.jsonName, defaultValue: f.defaultValue, oneofIndex: f.oneofIndex,
    proto3Optional: f.proto3Optional, packed: f.packed, hasPresence: f.hasPresence, mapEntry: f.mapEntry?.fullName,
    extendee: f.extendee?.fullName,
  };
}

function enumSnap(e: ProtoEnum): Json {
  return {
    fullName: e.fullName, parent: e.parent?.fullName, closed: e.closed, file: e.file.name,
    values: e.values.map((v) => [v.name, v.number]), reservedRanges: e.reservedRanges, reservedNames: e.reservedNames,
  };
}

function message(m: ProtoMessage): Json {
  return {
    fullName: m.fullName, parent: m.parent?.fullName, file: m.file.name, mapEntry: m.mapEntry,
    fields: m.fields.map(field), extensions: m.extensions.map(field),
    oneofs: m.oneofs.map((o) => ({ name: o.name, synthetic: o.synthetic, fields: o.fields.map((f) => f.name) })),
    nested: m.nestedMessages.map(message), enums: m.nestedEnums.map(enumSnap),
    extensionRanges: m.extensionRanges.map((r) => [r.start, r.end]), reservedRanges: m.reservedRanges, reservedNames: m.reservedNames,
  };
}

function service(s: ProtoService): Json {
  return {
    fullName: s.fullName,
    methods: s.methods.map((m) => ({
      fullName: m.fullName, input: m.input.fullName, output: m.output.fullName, mode: m.streamingMode,
      clientStreaming: m.clientStreaming, serverStreaming: m.serverStreaming,
    })),
  };
}

/** One file's snapshot. */
export function fileSnapshot(f: ProtoFile): Json {
  return {
    name: f.name, package: f.package, syntax: f.syntax, edition: f.edition, dependencies: f.dependencies,
    publicDependencies: f.publicDependencies, weakDependencies: f.weakDependencies,
    messages: f.messages.map(message), enums: f.enums.map(enumSnap), services: f.services.map(service),
    extensions: f.extensions.map(field),
  };
}
