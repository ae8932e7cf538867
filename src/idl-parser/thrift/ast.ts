/**
 * The unresolved syntax tree of one `.thrift` file: names are still text and
 * constants are still literals. Only the parser creates it and only the
 * resolver reads it, so it stays internal to this folder.
 */
import type { ThriftAnnotations, ThriftBaseKind, ThriftRequiredness } from './descriptor.js';

/** A 1-based source position. */
export interface Pos {
  readonly line: number;
  readonly column: number;
}

/** One `key = "value"` annotation with where it was written. */
export interface AnnotationNode {
  readonly key: string;
  readonly value: string;
  readonly pos: Pos;
}

/** A type as written: a base type, a container, or a name still to resolve. */
export type TypeNode =
  | { readonly kind: 'base'; readonly base: ThriftBaseKind; readonly annotations: AnnotationNode[]; readonly pos: Pos }
  | { readonly kind: 'list' | 'set'; readonly element: TypeNode; readonly annotations: AnnotationNode[]; readonly pos: Pos }
  | { readonly kind: 'map'; readonly key: TypeNode; readonly value: TypeNode; readonly annotations: AnnotationNode[]; readonly pos: Pos }
  | { readonly kind: 'ref'; readonly name: string; readonly pos: Pos };

/** A constant literal as written; `true`/`false` are already the integers 1/0. */
export type ConstNode =
  | { readonly kind: 'int'; readonly value: bigint; readonly pos: Pos }
  | { readonly kind: 'double'; readonly value: number; readonly pos: Pos }
  | { readonly kind: 'string'; readonly value: string; readonly pos: Pos }
  | { readonly kind: 'ident'; readonly name: string; readonly pos: Pos }
  | { readonly kind: 'list'; readonly items: ConstNode[]; readonly pos: Pos }
  | { readonly kind: 'map'; readonly entries: Array<[ConstNode, ConstNode]>; readonly pos: Pos };

/** A field of a struct, argument list or throws list. */
export interface FieldNode {
  /** The explicit id, or the negative one assigned as the compiler does. */
  readonly id: number;
  readonly implicitId: boolean;
  readonly name: string;
  readonly type: TypeNode;
  readonly requiredness: ThriftRequiredness;
  readonly defaultValue: ConstNode | undefined;
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
  readonly namePos: Pos;
}

/** `include "path"`. */
export interface IncludeNode {
  readonly path: string;
  readonly pos: Pos;
}

/** `typedef <type> Name`. */
export interface TypedefNode {
  readonly kind: 'typedef';
  readonly name: string;
  readonly type: TypeNode;
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
}

/** `const <type> NAME = value`. */
export interface ConstDefNode {
  readonly kind: 'const';
  readonly name: string;
  readonly type: TypeNode;
  readonly value: ConstNode;
  readonly pos: Pos;
}

/** An enum; `value` is undefined where the compiler assigns the previous value + 1. */
export interface EnumNode {
  readonly kind: 'enum';
  readonly name: string;
  readonly values: Array<{ name: string; value: bigint | undefined; annotations: AnnotationNode[]; pos: Pos }>;
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
}

/** A struct, union or exception. */
export interface StructNode {
  readonly kind: 'struct' | 'union' | 'exception';
  readonly name: string;
  readonly fields: FieldNode[];
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
}

/** A service function. */
export interface FunctionNode {
  readonly name: string;
  readonly oneway: boolean;
  /** `undefined` for `void`. */
  readonly returnType: TypeNode | undefined;
  readonly args: FieldNode[];
  readonly throws: FieldNode[];
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
}

/** A service, with the still unresolved name of the service it extends. */
export interface ServiceNode {
  readonly kind: 'service';
  readonly name: string;
  readonly extends: { readonly name: string; readonly pos: Pos } | undefined;
  readonly functions: FunctionNode[];
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
}

/** Any top-level definition. */
export type DefinitionNode = TypedefNode | ConstDefNode | EnumNode | StructNode | ServiceNode;

/** A whole file: headers, then definitions in order. */
export interface DocumentNode {
  readonly namespaces: Map<string, string>;
  readonly includes: IncludeNode[];
  readonly cppIncludes: string[];
  readonly definitions: DefinitionNode[];
}

const NO_ANNOTATIONS: ThriftAnnotations = Object.freeze([]);

/** Strips positions from annotation nodes for the public model (most lists are empty and share one array). */
export function toAnnotations(nodes: readonly AnnotationNode[]): ThriftAnnotations {
  return nodes.length === 0 ? NO_ANNOTATIONS : nodes.map((a) => ({ key: a.key, value: a.value }));
}
