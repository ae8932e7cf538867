import { IdlError } from '../../errors/idl-error.js';
import { toAnnotations } from './ast.js';
import type { FieldNode, FunctionNode, ServiceNode, TypeNode } from './ast.js';
import { streamingModeOf } from './annotations.js';
import type { ThriftField, ThriftFile, ThriftFunction, ThriftReturnType, ThriftService, ThriftStruct, ThriftType } from './descriptor.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What building a service needs from the file resolver. */
export interface ServiceContext {
  readonly path: string;
  /** Resolves a field list with its defaults; `where` and `label` name the list and its owner in errors. */
  fields(nodes: readonly FieldNode[], owner: 'args' | 'throws', where: string, label: string): ThriftField[];
  type(node: TypeNode): ThriftType;
}

/**
 * Builds a service: its own functions (with their synthesized
 * `<Service>_<fn>_args` / `_result` structs, as the code generators name
 * them) and the function table including inherited ones.
 */
export function buildService(node: ServiceNode, parent: ThriftService | undefined, file: ThriftFile, ctx: ServiceContext): ThriftService {
  const prefix = `${file.includeName}.`;
  const own: ThriftFunction[] = [];
  const service: Mutable<ThriftService> = {
    name: node.name,
    fullName: prefix + node.name,
    file,
    extends: parent,
    ownFunctions: own,
    functions: new Map(),
    annotations: toAnnotations(node.annotations),
  };
  const functions = new Map<string, ThriftFunction>(parent?.functions ?? []);
  const seen = new Map<string, FunctionNode>();
  for (const fn of node.functions) {
    const prev = seen.get(fn.name);
    if (prev !== undefined) throw err(ctx, fn, `function ${fn.name} is already defined in service ${node.name} at line ${prev.pos.line}`);
    seen.set(fn.name, fn);
    const inherited = parent?.functions.get(fn.name);
    if (inherited !== undefined) {
      // The compiler rejects redefining an inherited function rather than overriding it.
      throw err(ctx, fn, `function ${fn.name} of service ${node.name} is already defined in the extended service ${inherited.service.name}`);
    }
    const f = buildFunction(fn, service, file, ctx);
    own.push(f);
    functions.set(f.name, f);
  }
  service.functions = functions;
  return service;
}

function buildFunction(fn: FunctionNode, service: ThriftService, file: ThriftFile, ctx: ServiceContext): ThriftFunction {
  const where = `${service.name}.${fn.name}`;
  const returnType: ThriftReturnType = fn.returnType === undefined ? { kind: 'void' } : ctx.type(fn.returnType);
  const args = ctx.fields(fn.args, 'args', `the arguments of ${where}`, where);
  const throws = ctx.fields(fn.throws, 'throws', `the throws clause of ${where}`, where);
  fn.throws.forEach((n, i) => {
    const t = throws[i]!.type;
    if (t.kind !== 'struct' || t.struct.kind !== 'exception') {
      throw new IdlError({ file: ctx.path, line: n.pos.line, column: n.pos.column }, `throws clause of ${where}: ${n.name} is not an exception type`);
    }
  });
  if (fn.oneway && throws.length > 0) throw err(ctx, fn, `oneway function ${where} cannot throw exceptions`);
  const streamingMode = streamingModeOf(fn.annotations, ctx.path, where);
  const base = `${service.name}_${fn.name}`;
  const argsStruct: ThriftStruct = {
    kind: 'struct', name: `${base}_args`, fullName: `${file.includeName}.${base}_args`, file, fields: args, annotations: [],
  };
  const resultFields: ThriftField[] = [];
  if (returnType.kind !== 'void' && !fn.oneway) {
    resultFields.push({ id: 0, name: 'success', type: returnType, requiredness: 'optional', defaultValue: undefined, annotations: [], goTagJsonName: undefined, goTagJsonIgnored: false });
  }
  // Only the thrown exception is ever present in a result.
  for (const t of throws) resultFields.push({ ...t, requiredness: 'optional' });
  const resultStruct: ThriftStruct = {
    kind: 'struct', name: `${base}_result`, fullName: `${file.includeName}.${base}_result`, file, fields: resultFields, annotations: [],
  };
  return {
    name: fn.name,
    oneway: fn.oneway,
    returnType,
    args,
    throws,
    streamingMode,
    annotations: toAnnotations(fn.annotations),
    service,
    argsStruct,
    resultStruct,
  };
}

function err(ctx: ServiceContext, fn: FunctionNode, reason: string): IdlError {
  return new IdlError({ file: ctx.path, line: fn.pos.line, column: fn.pos.column }, reason);
}
