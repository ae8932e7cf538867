/**
 * Resolved `.thrift` descriptors: what the parser produces and the codecs and
 * the generic client consume. Typedefs are resolved to wire types while the
 * declared name is kept; constants and defaults are evaluated.
 *
 * Names: a definition's `name` is as declared (`Tag`); its `fullName` is
 * qualified by the file's include name (`base.Tag`, the file name without
 * `.thrift`), the way other files refer to it.
 */

/** Thrift annotations `(key = "value", flag)` in declaration order; a bare flag has value `'1'`, as the Thrift compiler gives it. */
export type ThriftAnnotations = ReadonlyArray<{ readonly key: string; readonly value: string }>;

/** Base types. `binary` and `string` share a wire type but differ in JSON (base64 vs text). */
export type ThriftBaseKind = 'bool' | 'byte' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid';

/** A resolved type. `typedefName` records the typedef chain head a field was declared with. */
export type ThriftType =
  | { readonly kind: ThriftBaseKind; readonly typedefName?: string; readonly annotations?: ThriftAnnotations }
  | { readonly kind: 'list' | 'set'; readonly element: ThriftType; readonly typedefName?: string; readonly annotations?: ThriftAnnotations }
  | { readonly kind: 'map'; readonly key: ThriftType; readonly value: ThriftType; readonly typedefName?: string; readonly annotations?: ThriftAnnotations }
  | { readonly kind: 'enum'; readonly enum: ThriftEnum; readonly typedefName?: string }
  | { readonly kind: 'struct'; readonly struct: ThriftStruct; readonly typedefName?: string };

/** A return type may also be `void`. */
export type ThriftReturnType = ThriftType | { readonly kind: 'void' };

/** An evaluated constant value (defaults and `const`s). i64 values beyond 2^53 keep exactness as bigint. */
export type ThriftConstValue =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'list'; readonly items: readonly ThriftConstValue[] }
  | { readonly kind: 'map'; readonly entries: ReadonlyArray<readonly [ThriftConstValue, ThriftConstValue]> }
  | { readonly kind: 'struct'; readonly fields: ReadonlyArray<readonly [string, ThriftConstValue]> };

/** Field requiredness as the compiler reports it. */
export type ThriftRequiredness = 'required' | 'optional' | 'default';

/** A field of a struct, union, exception, argument list or `throws` list. */
export interface ThriftField {
  /** Explicit id, or the negative id the compiler assigns implicitly (-1, -2, … per struct). */
  readonly id: number;
  readonly name: string;
  readonly type: ThriftType;
  readonly requiredness: ThriftRequiredness;
  /** The default value, coerced to the field's type. */
  readonly defaultValue: ThriftConstValue | undefined;
  readonly annotations: ThriftAnnotations;
  /**
   * The JSON key from a `go.tag` json alias (`go.tag = 'json:"alias,omitempty"'`: the text
   * before the first comma), if any; undefined for an empty alias (`json:",omitempty"`).
   * `json:"-"` and `json:"-,"` both give `'-'`: Kitex's JSON generic (dynamicgo, and Kitex's
   * own descriptor) uses that as the literal key, and so does idlcall's codec.
   */
  readonly goTagJsonName: string | undefined;
  /**
   * True when the go.tag is exactly `json:"-"`, the tag Go's encoding/json skips (a generated
   * Go struct never marshals the field). `json:"-,"` is false: Go's literal key "-".
   */
  readonly goTagJsonIgnored: boolean;
}

/** A struct, union or exception. */
export interface ThriftStruct {
  readonly kind: 'struct' | 'union' | 'exception';
  readonly name: string;
  readonly fullName: string;
  readonly file: ThriftFile;
  readonly fields: readonly ThriftField[];
  readonly annotations: ThriftAnnotations;
}

/** An enum; values are i32. */
export interface ThriftEnum {
  readonly name: string;
  readonly fullName: string;
  readonly file: ThriftFile;
  readonly values: ReadonlyArray<{ readonly name: string; readonly value: number; readonly annotations: ThriftAnnotations }>;
  readonly annotations: ThriftAnnotations;
}

/** A typedef, kept for describing and for declared names. */
export interface ThriftTypedef {
  readonly name: string;
  readonly fullName: string;
  readonly type: ThriftType;
  readonly annotations: ThriftAnnotations;
}

/** A `const` definition. */
export interface ThriftConst {
  readonly name: string;
  readonly fullName: string;
  readonly type: ThriftType;
  readonly value: ThriftConstValue;
}

/** Kitex's streaming modes; `none` is Thrift ping-pong (no annotation). */
export type ThriftStreamingMode = 'none' | 'unary' | 'client' | 'server' | 'bidirectional';

/** A service function. */
export interface ThriftFunction {
  readonly name: string;
  readonly oneway: boolean;
  readonly returnType: ThriftReturnType;
  readonly args: readonly ThriftField[];
  readonly throws: readonly ThriftField[];
  /** From `(streaming.mode = "...")`; `none` when absent. */
  readonly streamingMode: ThriftStreamingMode;
  readonly annotations: ThriftAnnotations;
  /** The service that declared it (differs from the owning service for inherited functions). */
  readonly service: ThriftService;
  /**
   * `<Service>_<fn>_args`: the args struct (`{<argId>: arg}`), as ping-pong and
   * unary-over-gRPC send it.
   */
  readonly argsStruct: ThriftStruct;
  /**
   * `<Service>_<fn>_result`: field 0 `success` (absent for void and oneway), then the
   * `throws` fields with their ids; all optional, since a reply carries only one of them.
   */
  readonly resultStruct: ThriftStruct;
}

/** A service; `functions` includes inherited ones (redefining an inherited function is an error, as in the compiler). */
export interface ThriftService {
  readonly name: string;
  readonly fullName: string;
  readonly file: ThriftFile;
  readonly extends: ThriftService | undefined;
  /** Functions declared in this service, in order. */
  readonly ownFunctions: readonly ThriftFunction[];
  /** Own and inherited functions by name. */
  readonly functions: ReadonlyMap<string, ThriftFunction>;
  readonly annotations: ThriftAnnotations;
}

/** A parsed and resolved `.thrift` file. */
export interface ThriftFile {
  /** The path the file was loaded from (or its name in a content provider). */
  readonly path: string;
  /** Include name: the file name without directory and `.thrift`. */
  readonly includeName: string;
  /** `namespace <lang> <name>` entries (`*` included). */
  readonly namespaces: ReadonlyMap<string, string>;
  readonly includes: readonly ThriftFile[];
  readonly cppIncludes: readonly string[];
  readonly typedefs: readonly ThriftTypedef[];
  readonly constants: readonly ThriftConst[];
  readonly enums: readonly ThriftEnum[];
  /** Structs, unions and exceptions in declaration order. */
  readonly structs: readonly ThriftStruct[];
  readonly services: readonly ThriftService[];
}
