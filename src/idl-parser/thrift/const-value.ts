import { IdlError } from '../../errors/idl-error.js';
import type { ConstNode, Pos } from './ast.js';
import type { ThriftConstValue, ThriftEnum, ThriftType } from './descriptor.js';

/** What a constant reference (`X`, `Enum.V`, `inc.X`, `inc.Enum.V`) stands for. */
export type ConstRef =
  | { readonly kind: 'const'; readonly value: ThriftConstValue }
  | { readonly kind: 'enum'; readonly enum: ThriftEnum; readonly name: string; readonly value: number };

/** Looks up a constant reference; throws `IdlError` when it names nothing. */
export type ConstLookup = (name: string, pos: Pos) => ConstRef;

const RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  byte: [-(1n << 7n), (1n << 7n) - 1n],
  i16: [-(1n << 15n), (1n << 15n) - 1n],
  i32: [-(1n << 31n), (1n << 31n) - 1n],
  i64: [-(1n << 63n), (1n << 63n) - 1n],
};

/**
 * Evaluates a constant literal against its declared type, as the compiler's
 * `validate_const_type` does: integers (and `true`/`false`, which are
 * integers) for bool and integer types, integers or doubles for double,
 * strings for string/binary/uuid, a declared value for enums, field names for
 * struct literals. Unlike the compiler, integers outside the type's range
 * and non-empty lists given for maps (or maps for lists) are errors: no codec
 * could write them.
 */
export function evalConst(node: ConstNode, type: ThriftType, what: string, file: string, lookup: ConstLookup): ThriftConstValue {
  const fail = (reason: string, pos: Pos = node.pos): IdlError =>
    new IdlError({ file, line: pos.line, column: pos.column }, reason);
  let ref: ConstRef | undefined;
  let v: ConstNode = node;
  if (node.kind === 'ident' && type.kind === 'enum') {
    // The compiler reads `X.NAME` for an enum as NAME in the declared enum,
    // whatever the qualifier (`MyEnum1.ME2_2` for a MyEnum2 field, `inc.VALUE`).
    const dot = node.name.lastIndexOf('.');
    const hit = dot < 0 ? undefined : type.enum.values.find((x) => x.name === node.name.slice(dot + 1));
    if (hit !== undefined) return { kind: 'int', value: BigInt(hit.value) };
  }
  if (node.kind === 'ident') {
    ref = lookup(node.name, node.pos);
    v = ref.kind === 'enum' ? { kind: 'int', value: BigInt(ref.value), pos: node.pos } : toNode(ref.value, node.pos);
  }
  const mismatch = (): IdlError => fail(`${what} must be ${describeType(type)}, found ${describeNode(v, node)}`);
  switch (type.kind) {
    case 'bool':
      if (v.kind !== 'int') throw mismatch();
      return { kind: 'bool', value: v.value !== 0n };
    case 'byte':
    case 'i16':
    case 'i32':
    case 'i64': {
      if (v.kind !== 'int') throw mismatch();
      const [lo, hi] = RANGES[type.kind]!;
      if (v.value < lo || v.value > hi) throw fail(`${what}: ${v.value} is out of range for ${type.kind}`);
      return { kind: 'int', value: v.value };
    }
    case 'double':
      if (v.kind === 'int') return { kind: 'double', value: Number(v.value) };
      if (v.kind !== 'double') throw mismatch();
      return { kind: 'double', value: v.value };
    case 'string':
    case 'binary':
    case 'uuid':
      if (v.kind !== 'string') throw mismatch();
      return { kind: 'string', value: v.value };
    case 'enum': {
      const e = type.enum;
      if (ref?.kind === 'enum') {
        if (ref.enum !== e) throw fail(`${what}: ${node.kind === 'ident' ? node.name : ''} is not a value of enum ${e.name}`);
        return { kind: 'int', value: BigInt(ref.value) };
      }
      if (v.kind !== 'int') throw mismatch();
      const n = v.value;
      if (!e.values.some((x) => BigInt(x.value) === n)) throw fail(`${what}: enum ${e.name} has no value ${n}`);
      return { kind: 'int', value: n };
    }
    case 'list':
    case 'set': {
      // `{}` for an empty list or set is common (Apache's ThriftTest) and accepted by the compiler.
      if (v.kind === 'map' && v.entries.length === 0) return { kind: 'list', items: [] };
      if (v.kind !== 'list') throw mismatch();
      const el = type.element;
      return { kind: 'list', items: v.items.map((item) => evalConst(item, el, `element of ${what}`, file, lookup)) };
    }
    case 'map': {
      if (v.kind === 'list' && v.items.length === 0) return { kind: 'map', entries: [] };
      if (v.kind !== 'map') throw mismatch();
      const entries: Array<readonly [ThriftConstValue, ThriftConstValue]> = [];
      const seen = new Map<string, number>();
      for (const [k, val] of v.entries) {
        const key = evalConst(k, type.key, `key of ${what}`, file, lookup);
        const value = evalConst(val, type.value, `value of ${what}`, file, lookup);
        // Like the compiler's std::map, a repeated key keeps the last value.
        const id = constKey(key);
        const at = seen.get(id);
        if (at === undefined) {
          seen.set(id, entries.length);
          entries.push([key, value]);
        } else {
          entries[at] = [key, value];
        }
      }
      return { kind: 'map', entries };
    }
    case 'struct': {
      if (v.kind !== 'map') throw mismatch();
      const s = type.struct;
      const fields: Array<readonly [string, ThriftConstValue]> = [];
      for (const [k, val] of v.entries) {
        if (k.kind !== 'string') throw fail(`${what}: struct literal keys must be field names in quotes, found ${describeNode(k, k)}`, k.pos);
        const f = s.fields.find((x) => x.name === k.value);
        if (f === undefined) throw fail(`${what}: ${s.name} has no field named "${k.value}"`, k.pos);
        const value = evalConst(val, f.type, `field ${k.value} of ${what}`, file, lookup);
        const at = fields.findIndex((x) => x[0] === k.value);
        if (at < 0) fields.push([k.value, value]);
        else fields[at] = [k.value, value];
      }
      return { kind: 'struct', fields };
    }
  }
}

/** Turns an evaluated constant back into a literal, for references to it. */
function toNode(v: ThriftConstValue, pos: Pos): ConstNode {
  switch (v.kind) {
    case 'int':
      return { kind: 'int', value: v.value, pos };
    case 'bool':
      return { kind: 'int', value: v.value ? 1n : 0n, pos };
    case 'double':
      return { kind: 'double', value: v.value, pos };
    case 'string':
      return { kind: 'string', value: v.value, pos };
    case 'list':
      return { kind: 'list', items: v.items.map((x) => toNode(x, pos)), pos };
    case 'map':
      return { kind: 'map', entries: v.entries.map(([k, x]) => [toNode(k, pos), toNode(x, pos)]), pos };
    case 'struct':
      return { kind: 'map', entries: v.fields.map(([k, x]) => [{ kind: 'string', value: k, pos }, toNode(x, pos)]), pos };
  }
}

function constKey(v: ThriftConstValue): string {
  switch (v.kind) {
    case 'int':
      return `i${v.value}`;
    case 'string':
      return `s${v.value}`;
    case 'double':
      return `d${v.value}`;
    case 'bool':
      return `b${v.value}`;
  }
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}

/** `an i32`, `a list`, `a value of enum Color`… for error messages. */
function describeType(t: ThriftType): string {
  switch (t.kind) {
    case 'enum':
      return `a value of enum ${t.enum.name}`;
    case 'struct':
      return `a ${t.struct.kind} literal of ${t.struct.name}`;
    case 'i16':
    case 'i32':
    case 'i64':
      return `an ${t.kind}`;
    default:
      return `a ${t.kind}`;
  }
}

function describeNode(v: ConstNode, original: ConstNode): string {
  const via = original.kind === 'ident' ? ` (${original.name})` : '';
  switch (v.kind) {
    case 'int':
      return `the integer ${v.value}${via}`;
    case 'double':
      return `the double ${v.value}${via}`;
    case 'string':
      return `a string${via}`;
    case 'list':
      return `a list${via}`;
    case 'map':
      return `a map${via}`;
    case 'ident':
      return v.name;
  }
}
