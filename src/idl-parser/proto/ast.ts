/**
 * The unresolved parse tree of one `.proto` file: names as written, with the
 * source positions resolution errors need. Internal to the proto front end.
 */
import type { ProtoOptionValue } from './descriptor.js';

/** A 1-based source position. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** One component of an option name: `foo` or `(my.ext)`. */
export interface OptionNamePart {
  readonly name: string;
  readonly extension: boolean;
  readonly pos: Pos;
}

/** `name = value` from an `option` statement or a `[…]` list. */
export interface OptionNode {
  /** Canonical text: `deprecated`, `(my.ext).path`. */
  readonly name: string;
  readonly parts: readonly OptionNamePart[];
  readonly value: ProtoOptionValue;
  readonly pos: Pos;
  readonly valuePos: Pos;
}

/** A field label as written. */
export type Label = 'optional' | 'required' | 'repeated';

/** A field, map field, group field or extension as written. */
export interface FieldNode {
  name: string;
  pos: Pos;
  number: number;
  numberPos: Pos;
  /** Label as written; `undefined` when omitted (proto3, editions, oneof members, map fields). */
  label: Label | undefined;
  labelPos: Pos | undefined;
  /** A scalar keyword, or a (possibly dotted / leading-dot) type reference. */
  typeName: string;
  typePos: Pos;
  /** True when `typeName` is a scalar keyword. */
  scalar: boolean;
  group: boolean;
  /** Set for `map<K, V>` fields: the synthetic entry message (already in the parent's nested list). */
  mapEntry: MessageNode | undefined;
  /** Set for proto2 `group` fields: the group's message (already in the parent's nested list). */
  groupBody: MessageNode | undefined;
  options: OptionNode[];
  /** `default = …` converted to protoc's descriptor text. */
  defaultValue: string | undefined;
  defaultPos: Pos | undefined;
  /** The `json_name` pseudo-option, when given. */
  jsonName: string | undefined;
  jsonNamePos: Pos | undefined;
  proto3Optional: boolean;
  oneofIndex: number | undefined;
  /** For extensions: the extendee as written. */
  extendee: string | undefined;
  extendeePos: Pos | undefined;
}

/** A `oneof` block, or the synthetic oneof of a proto3 `optional` field. */
export interface OneofNode {
  name: string;
  pos: Pos;
  options: OptionNode[];
  synthetic: boolean;
  /** Members, in declaration order. */
  fields: FieldNode[];
}

/** A `reserved` or `extensions` number range. */
export interface RangeNode {
  start: number;
  /** Exclusive for messages, inclusive for enums (as in descriptor.proto); -1 means `max`. */
  end: number;
  pos: Pos;
}

/** An `extensions` range with the options of its statement. */
export interface ExtensionRangeNode extends RangeNode {
  options: OptionNode[];
}

/** A message (also groups' bodies and the synthetic map entries). */
export interface MessageNode {
  name: string;
  pos: Pos;
  fields: FieldNode[];
  messages: MessageNode[];
  enums: EnumNode[];
  extensions: FieldNode[];
  oneofs: OneofNode[];
  extensionRanges: ExtensionRangeNode[];
  reservedRanges: RangeNode[];
  reservedNames: Array<{ name: string; pos: Pos }>;
  options: OptionNode[];
  mapEntry: boolean;
}

/** One enum value. */
export interface EnumValueNode {
  name: string;
  pos: Pos;
  number: number;
  numberPos: Pos;
  options: OptionNode[];
}

/** An enum. */
export interface EnumNode {
  name: string;
  pos: Pos;
  values: EnumValueNode[];
  reservedRanges: RangeNode[];
  reservedNames: Array<{ name: string; pos: Pos }>;
  options: OptionNode[];
}

/** An `rpc`. */
export interface MethodNode {
  name: string;
  pos: Pos;
  inputType: string;
  inputPos: Pos;
  outputType: string;
  outputPos: Pos;
  clientStreaming: boolean;
  serverStreaming: boolean;
  options: OptionNode[];
  /** Written with a `{ … }` body rather than `;`. */
  body: boolean;
}

/** A service. */
export interface ServiceNode {
  name: string;
  pos: Pos;
  methods: MethodNode[];
  options: OptionNode[];
}

/** An `import` line. */
export interface ImportNode {
  path: string;
  pos: Pos;
  kind: 'default' | 'public' | 'weak';
}

/** One parsed file. */
export interface FileNode {
  name: string;
  syntax: 'proto2' | 'proto3' | 'editions';
  syntaxPos: Pos;
  edition: string | undefined;
  package: string;
  packagePos: Pos;
  imports: ImportNode[];
  messages: MessageNode[];
  enums: EnumNode[];
  services: ServiceNode[];
  extensions: FieldNode[];
  options: OptionNode[];
}
