/**
 * What option names mean on the wire: the fields of descriptor.proto's `*Options` messages
 * (from the loaded descriptor.proto when the files bring one, else the built-in copy), the
 * editions `features` field (newer than the built-in descriptor.proto, so declared here), and
 * protoc's lookup of custom option names.
 */
import type { ProtoField, ProtoMessage } from '../idl-parser/proto/descriptor.js';
import { parseProtoContent, type ProtoRegistry } from '../idl-parser/proto/index.js';
import type { OptionTarget } from '../idl-parser/proto/options.js';

/** The `google.protobuf.*Options` message an element's options are (the parser's option targets). */
export type OptionsMessage = OptionTarget;

/** Symbols the option codec looks up among the files at hand (a `ProtoRegistry` fits). */
export type SymbolLookup = Pick<ProtoRegistry, 'findExtension' | 'findMessage' | 'extensionsOf'>;

// `features` (editions) and FeatureSet as descriptor.proto defines them since protobuf 27: field
// numbers and enum numbers are wire facts; the UNKNOWN zero values are renamed apart because
// their enums share one scope here.
const FEATURES_SOURCE = `
syntax = "proto2";
package idlcall.features;
message FeatureSet {
  enum FieldPresence { FIELD_PRESENCE_UNKNOWN = 0; EXPLICIT = 1; IMPLICIT = 2; LEGACY_REQUIRED = 3; }
  enum EnumType { ENUM_TYPE_UNKNOWN = 0; OPEN = 1; CLOSED = 2; }
  enum RepeatedFieldEncoding { REPEATED_FIELD_ENCODING_UNKNOWN = 0; PACKED = 1; EXPANDED = 2; }
  enum Utf8Validation { UTF8_VALIDATION_UNKNOWN = 0; VERIFY = 2; NONE = 3; }
  enum MessageEncoding { MESSAGE_ENCODING_UNKNOWN = 0; LENGTH_PREFIXED = 1; DELIMITED = 2; }
  enum JsonFormat { JSON_FORMAT_UNKNOWN = 0; ALLOW = 1; LEGACY_BEST_EFFORT = 2; }
  optional FieldPresence field_presence = 1;
  optional EnumType enum_type = 2;
  optional RepeatedFieldEncoding repeated_field_encoding = 3;
  optional Utf8Validation utf8_validation = 4;
  optional MessageEncoding message_encoding = 5;
  optional JsonFormat json_format = 6;
  extensions 1000 to max;
}
message FileOptions { optional FeatureSet features = 50; }
message MessageOptions { optional FeatureSet features = 12; }
message FieldOptions { optional FeatureSet features = 21; }
message OneofOptions { optional FeatureSet features = 1; }
message EnumOptions { optional FeatureSet features = 7; }
message EnumValueOptions { optional FeatureSet features = 2; }
message ServiceOptions { optional FeatureSet features = 34; }
message MethodOptions { optional FeatureSet features = 35; }
message ExtensionRangeOptions { optional FeatureSet features = 50; }
`;

let builtin: ProtoRegistry | undefined;

/** descriptor.proto (built in) and the features declarations, resolved once. */
function builtinRegistry(): ProtoRegistry {
  return (builtin ??= parseProtoContent('syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nimport "idlcall/features.proto";\n', {
    mainName: 'idlcall/option-schema.proto',
    files: { 'idlcall/features.proto': FEATURES_SOURCE },
  }));
}

/** Standard option fields of one options message, by name and by number. */
export interface StandardOptions {
  readonly byName: ReadonlyMap<string, ProtoField>;
  readonly byNumber: ReadonlyMap<number, ProtoField>;
}

const cache = new WeakMap<ProtoMessage, StandardOptions>();

/**
 * The standard fields of `target`: those of the descriptor.proto among `lookup`'s files when
 * there is one (it may be newer than ours), else of the built-in copy; plus `features`.
 */
export function standardOptions(target: OptionsMessage, lookup: SymbolLookup | undefined): StandardOptions {
  const own = builtinRegistry().findMessage(`google.protobuf.${target}`)!;
  const loaded = lookup?.findMessage(`google.protobuf.${target}`);
  const base = loaded && loaded.file.name === 'google/protobuf/descriptor.proto' ? loaded : own;
  let out = cache.get(base);
  if (!out) {
    const byName = new Map<string, ProtoField>();
    const byNumber = new Map<number, ProtoField>();
    const features = builtinRegistry().findMessage(`idlcall.features.${target}`)!.fields[0]!;
    for (const f of [features, ...base.fields]) {
      if (f.name === 'uninterpreted_option') continue;
      byName.set(f.name, f);
      byNumber.set(f.number, f);
    }
    out = { byName, byNumber };
    cache.set(base, out);
  }
  return out;
}

/**
 * A custom option name (`(my.ext)`, written relative to the element) to its extension, the
 * way protoc looks it up: a leading dot is absolute, otherwise the scopes of `relativeTo` are
 * tried from the innermost outwards.
 */
export function findOptionExtension(lookup: SymbolLookup, name: string, relativeTo: string): ProtoField | undefined {
  if (name.charCodeAt(0) === 46) return lookup.findExtension(name.slice(1));
  let scope = relativeTo;
  for (;;) {
    const cut = scope.lastIndexOf('.');
    if (cut < 0) return lookup.findExtension(name);
    scope = scope.slice(0, cut);
    const found = lookup.findExtension(`${scope}.${name}`);
    if (found) return found;
  }
}
