/**
 * Resolved `.proto` descriptors: what the parser produces and the codecs and
 * the generic client consume. The shape follows protoc's
 * `google.protobuf.FileDescriptorProto` closely (so the two can be compared
 * field by field), with type references resolved to the objects they name.
 *
 * Full names never carry a leading dot (`search.gpt_engine.Request`).
 */

/** Scalar field types, named as in `.proto` source. */
export type ProtoScalarType =
  | 'double'
  | 'float'
  | 'int64'
  | 'uint64'
  | 'int32'
  | 'fixed64'
  | 'fixed32'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'uint32'
  | 'sfixed32'
  | 'sfixed64'
  | 'sint32'
  | 'sint64';

/** A field's type: a scalar, or a reference resolved to a message, group or enum. */
export type ProtoFieldType = ProtoScalarType | 'message' | 'group' | 'enum';

/**
 * An option value as written in the IDL: scalars, identifiers (enum values), string literals
 * that are not UTF-8 (their bytes, for `bytes` options) or aggregates.
 */
export type ProtoOptionValue =
  | string
  | number
  | boolean
  | bigint
  | { readonly identifier: string }
  | { readonly bytes: Uint8Array }
  | { readonly [key: string]: ProtoOptionValue | ProtoOptionValue[] };

/**
 * Options in declaration order. Keys are the option names as written, without
 * parentheses normalisation beyond whitespace: `deprecated`, `(my.ext).path`.
 */
export type ProtoOptions = ReadonlyArray<{ readonly name: string; readonly value: ProtoOptionValue }>;

/** A `.proto` file after parsing and resolution. */
export interface ProtoFile {
  /** The import path by which the file is known (`google/protobuf/any.proto`, `search/common.proto`). */
  readonly name: string;
  /** `''` when the file has no `package`. */
  readonly package: string;
  readonly syntax: 'proto2' | 'proto3' | 'editions';
  /** e.g. `'2023'` when `syntax === 'editions'`. */
  readonly edition?: string;
  /** Import paths in declaration order. */
  readonly dependencies: readonly string[];
  /** Indexes into `dependencies` of `import public` lines. */
  readonly publicDependencies: readonly number[];
  /** Indexes into `dependencies` of `import weak` lines. */
  readonly weakDependencies: readonly number[];
  readonly messages: readonly ProtoMessage[];
  readonly enums: readonly ProtoEnum[];
  readonly services: readonly ProtoService[];
  /** Top-level `extend` fields. */
  readonly extensions: readonly ProtoField[];
  readonly options: ProtoOptions;
}

/** A message type (also the synthetic `XxxEntry` messages of map fields). */
export interface ProtoMessage {
  readonly kind: 'message';
  readonly name: string;
  readonly fullName: string;
  readonly file: ProtoFile;
  /** Enclosing message for nested types. */
  readonly parent: ProtoMessage | undefined;
  /** Fields in declaration order (including oneof members and proto3 optionals). */
  readonly fields: readonly ProtoField[];
  readonly nestedMessages: readonly ProtoMessage[];
  readonly nestedEnums: readonly ProtoEnum[];
  /** Oneofs in declaration order; synthetic ones (proto3 `optional`) come last, as protoc orders them. */
  readonly oneofs: readonly ProtoOneof[];
  /** `extend` blocks nested in this message. */
  readonly extensions: readonly ProtoField[];
  /** `extensions` ranges, `end` exclusive (as in descriptor.proto), with the options of their statement. */
  readonly extensionRanges: ReadonlyArray<{ readonly start: number; readonly end: number; readonly options?: ProtoOptions }>;
  /** `reserved` number ranges, `end` exclusive. */
  readonly reservedRanges: ReadonlyArray<{ readonly start: number; readonly end: number }>;
  readonly reservedNames: readonly string[];
  /** True for the synthetic entry type of a `map<K, V>` field. */
  readonly mapEntry: boolean;
  readonly options: ProtoOptions;
}

/** A message field or an extension. */
export interface ProtoField {
  readonly kind: 'field';
  readonly name: string;
  /** `pkg.Message.field` (for extensions: the extension's scope plus its name). */
  readonly fullName: string;
  readonly number: number;
  readonly label: 'optional' | 'required' | 'repeated';
  readonly type: ProtoFieldType;
  /** The resolved message/group type, when `type` is `message` or `group`. */
  readonly message: ProtoMessage | undefined;
  /** The resolved enum type, when `type` is `enum`. */
  readonly enum: ProtoEnum | undefined;
  /** protoc's json_name: the `json_name` option, or lowerCamelCase of `name`. */
  readonly jsonName: string;
  /** True when `json_name` was set explicitly. */
  readonly hasJsonNameOption: boolean;
  /** Default as protoc writes it in descriptors (text form: `"1.5"`, `"inf"`, `"FOO"`, C-escaped bytes). */
  readonly defaultValue: string | undefined;
  /** Index into the containing message's `oneofs`, for oneof members and proto3 optionals. */
  readonly oneofIndex: number | undefined;
  /** A proto3 `optional` field (member of a synthetic oneof). */
  readonly proto3Optional: boolean;
  /** Effective packed encoding for repeated scalars (proto3 default true, proto2 from `[packed=true]`). */
  readonly packed: boolean;
  /** True when the field tracks presence (proto2 singular, proto3 optional, message, oneof member). */
  readonly hasPresence: boolean;
  /**
   * Its string values must be valid UTF-8: proto3, and editions unless `features.utf8_validation
   * = NONE`. proto2 strings are not checked (protoc parses them; bufbuild decodes bad sequences
   * to U+FFFD).
   */
  readonly utf8Validation: boolean;
  /** For map fields: the synthetic entry message (fields `key` = 1, `value` = 2). */
  readonly mapEntry: ProtoMessage | undefined;
  /** For extensions: the extended message. */
  readonly extendee: ProtoMessage | undefined;
  readonly options: ProtoOptions;
}

/** A `oneof` (or the synthetic oneof of a proto3 `optional` field). */
export interface ProtoOneof {
  readonly name: string;
  readonly fields: readonly ProtoField[];
  readonly synthetic: boolean;
  readonly options: ProtoOptions;
}

/** An enum type. */
export interface ProtoEnum {
  readonly kind: 'enum';
  readonly name: string;
  readonly fullName: string;
  readonly file: ProtoFile;
  readonly parent: ProtoMessage | undefined;
  /** Values in declaration order (aliases included). */
  readonly values: readonly ProtoEnumValue[];
  /** proto3 enums are open; proto2 enums closed. */
  readonly closed: boolean;
  /** `reserved` number ranges, `end` inclusive (as in descriptor.proto's EnumReservedRange). */
  readonly reservedRanges: ReadonlyArray<{ readonly start: number; readonly end: number }>;
  readonly reservedNames: readonly string[];
  readonly options: ProtoOptions;
}

/** One enum value. */
export interface ProtoEnumValue {
  readonly name: string;
  readonly number: number;
  readonly options: ProtoOptions;
}

/** A service. */
export interface ProtoService {
  readonly kind: 'service';
  readonly name: string;
  readonly fullName: string;
  readonly file: ProtoFile;
  readonly methods: readonly ProtoMethod[];
  readonly options: ProtoOptions;
}

/** How a method streams: Kitex's names for gRPC's four call shapes. */
export type StreamingMode = 'unary' | 'client' | 'server' | 'bidirectional';

/** An rpc. */
export interface ProtoMethod {
  readonly name: string;
  /** `pkg.Service.Method`. */
  readonly fullName: string;
  readonly input: ProtoMessage;
  readonly output: ProtoMessage;
  readonly clientStreaming: boolean;
  readonly serverStreaming: boolean;
  readonly streamingMode: StreamingMode;
  readonly options: ProtoOptions;
  /**
   * Written with a `{ … }` body: protoc then gives the method an options message even when
   * the body sets none (an empty `options` in its descriptor).
   */
  readonly hasBody?: boolean;
}
