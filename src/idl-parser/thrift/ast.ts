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

export interface AnnotationNode {
  readonly key: string;
  readonly value: string;
  readonly pos: Pos;
}

export type TypeNode =
  | { readonly kind: 'base'; readonly base: ThriftBaseKind; readonly annotations: AnnotationNode[]; readonly pos: Pos }
  | { readonly kind: 'list' | 'set'; readonly element: TypeNode; readonly annotations: AnnotationNode[]; readonly pos: Pos }
  | { readonly kind: 'map'; readonly key: TypeNode; readonly value: TypeNode; readonly annotations: AnnotationNode[]; readonly pos: Pos }
  | { readonly kind: 'ref'; readonly name: string; readonly pos: Pos };

export type ConstNode =
  | { readonly kind: 'int'; readonly value: bigint; readonly pos: Pos }
  | { readonly kind: 'double'; readonly value: number; readonly pos: Pos }
  | { readonly kind: 'string'; readonly value: string; readonly pos: Pos }
  | { readonly kind: 'ident'; readonly name: string; readonly pos: Pos }
  | { readonly kind: 'list'; readonly items: ConstNode[]; readonly pos: Pos }
  | { readonly kind: 'map'; readonly entries: Array<[ConstNode, ConstNode]>; readonly pos: Pos };

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

export interface IncludeNode {
  readonly path: string;
  readonly pos: Pos;
}

export interface TypedefNode {
  readonly kind: 'typedef';
  readonly name: string;
  readonly type: TypeNode;
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
}

export interface ConstDefNode {
  readonly kind: 'const';
  readonly name: string;
  readonly type: TypeNode;
  readonly value: ConstNode;
  readonly pos: Pos;
}

export interface EnumNode {
  readonly kind: 'enum';
  readonly name: string;
  readonly values: Array<{ name: string; value: bigint | undefined; annotations: AnnotationNode[]; pos: Pos }>;
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
}

export interface StructNode {
  readonly kind: 'struct' | 'union' | 'exception';
  readonly name: string;
  readonly fields: FieldNode[];
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
}

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

export interface ServiceNode {
  readonly kind: 'service';
  readonly name: string;
  readonly extends: { readonly name: string; readonly pos: Pos } | undefined;
  readonly functions: FunctionNode[];
  readonly annotations: AnnotationNode[];
  readonly pos: Pos;
}

export type DefinitionNode = TypedefNode | ConstDefNode | EnumNode | StructNode | ServiceNode;

export interface DocumentNode {
  readonly namespaces: Map<string, string>;
  readonly includes: IncludeNode[];
  readonly cppIncludes: string[];
  readonly definitions: DefinitionNode[];
}

/** Strips positions from annotation nodes for the public model. */
export function toAnnotations(nodes: readonly AnnotationNode[]): ThriftAnnotations {
  return nodes.map((a) => ({ key: a.key, value: a.value }));
}
