import type { EnumNode, FieldNode, FileNode, MessageNode, ServiceNode } from './ast.js';
import type { ProtoEnum, ProtoField, ProtoFile, ProtoMessage, ProtoService } from './descriptor.js';
import type { Features } from './features.js';
import { SymbolTable } from './symbols.js';

/*
 * The state of a resolution in progress: descriptors under construction with the
 * source nodes they came from. resolve.ts builds it; options.ts and validate.ts read
 * it (so they depend on this file, not on resolve.ts, which depends on them).
 */

/** A descriptor type with its fields writable, while it is built. */
export type Mut<T> = { -readonly [K in keyof T]: T[K] };

/** Internal: a message descriptor under construction with its source node. */
export interface BuiltMessage {
  readonly node: MessageNode;
  readonly desc: Mut<ProtoMessage>;
  readonly features: Features;
  /** Its own fields (not extensions), in declaration order. */
  readonly fields: BuiltField[];
}

/** Internal: a field or extension under construction with its source node. */
export interface BuiltField {
  readonly node: FieldNode;
  readonly desc: Mut<ProtoField>;
  /** The message declaring it (for extensions: the enclosing message, if any). */
  readonly container: BuiltMessage | undefined;
  readonly isExtension: boolean;
  readonly features: Features;
}

/** Internal: an enum under construction with its source node. */
export interface BuiltEnum {
  readonly node: EnumNode;
  readonly desc: Mut<ProtoEnum>;
}

/** Everything one file's resolution produced, for validation. */
export interface FileBuild {
  readonly node: FileNode;
  readonly file: Mut<ProtoFile>;
  readonly messages: BuiltMessage[];
  readonly fields: BuiltField[];
  readonly enums: BuiltEnum[];
  readonly services: Array<{ node: ServiceNode; desc: ProtoService }>;
  readonly visible: ReadonlySet<string>;
  readonly features: Features;
  readonly ctx: ResolveContext;
}

/** State shared across the files of one load: the symbol table and the files built so far. */
export class ResolveContext {
  readonly table = new SymbolTable();
  readonly files = new Map<string, ProtoFile>();
  /** Extension numbers per extendee, to report clashes across files. */
  readonly extensionNumbers = new Map<string, Map<number, ProtoField>>();
  /** All extensions by extendee full name. */
  readonly extensionsByExtendee = new Map<string, ProtoField[]>();
}
