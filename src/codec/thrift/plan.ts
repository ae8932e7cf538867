import type { ThriftField, ThriftStruct, ThriftType } from '../../idl-parser/thrift/descriptor.js';
import { quoteJsonString } from '../json/quote.js';
import { toUnits } from '../json/json-chars.js';
import { Kind, TType } from './types.js';

/**
 * A type compiled for the transcoders: the JSON kind, the wire type, and the
 * parts (element, key/value, struct plan) resolved once. Struct plans are
 * resolved lazily so recursive types compile.
 */
export class TypePlan {
  readonly kind: Kind;
  readonly ttype: number;
  /** Element of list/set, value of map. */
  readonly elem: TypePlan | null;
  /** Key of a map. */
  readonly key: TypePlan | null;
  readonly struct: ThriftStruct | null;
  private sp: StructPlan | null = null;
  /** Enum names → values (lenient input), or null. */
  readonly enumValues: ReadonlyMap<string, number> | null;
  /** IDL-style name for messages, e.g. `list<i32>`. */
  readonly desc: string;

  constructor(t: ThriftType) {
    this.elem = null;
    this.key = null;
    this.struct = null;
    this.enumValues = null;
    switch (t.kind) {
      case 'bool':
        this.kind = Kind.BOOL;
        this.ttype = TType.BOOL;
        this.desc = 'bool';
        break;
      case 'byte':
        this.kind = Kind.BYTE;
        this.ttype = TType.BYTE;
        this.desc = 'byte';
        break;
      case 'i16':
        this.kind = Kind.I16;
        this.ttype = TType.I16;
        this.desc = 'i16';
        break;
      case 'i32':
        this.kind = Kind.I32;
        this.ttype = TType.I32;
        this.desc = 'i32';
        break;
      case 'i64':
        this.kind = Kind.I64;
        this.ttype = TType.I64;
        this.desc = 'i64';
        break;
      case 'double':
        this.kind = Kind.DOUBLE;
        this.ttype = TType.DOUBLE;
        this.desc = 'double';
        break;
      case 'string':
        this.kind = Kind.STRING;
        this.ttype = TType.STRING;
        this.desc = 'string';
        break;
      case 'binary':
        this.kind = Kind.BINARY;
        this.ttype = TType.STRING;
        this.desc = 'binary';
        break;
      case 'uuid':
        this.kind = Kind.UUID;
        this.ttype = TType.UUID;
        this.desc = 'uuid';
        break;
      case 'enum': {
        this.kind = Kind.ENUM;
        this.ttype = TType.I32;
        this.desc = t.enum.name;
        const m = new Map<string, number>();
        for (const v of t.enum.values) m.set(v.name, v.value);
        this.enumValues = m;
        break;
      }
      case 'list':
      case 'set':
        this.kind = t.kind === 'list' ? Kind.LIST : Kind.SET;
        this.ttype = t.kind === 'list' ? TType.LIST : TType.SET;
        this.elem = typePlan(t.element);
        this.desc = `${t.kind}<${this.elem.desc}>`;
        break;
      case 'map':
        this.kind = Kind.MAP;
        this.ttype = TType.MAP;
        this.key = typePlan(t.key);
        this.elem = typePlan(t.value);
        this.desc = `map<${this.key.desc},${this.elem.desc}>`;
        break;
      case 'struct':
        this.kind = Kind.STRUCT;
        this.ttype = TType.STRUCT;
        this.struct = t.struct;
        this.desc = t.struct.name;
        break;
    }
  }

  /** The struct plan of a struct type (compiled on first use). */
  structPlan(): StructPlan {
    let sp = this.sp;
    if (sp === null) sp = this.sp = structPlan(this.struct!);
    return sp;
  }

  /** True for map key types that have a JSON string form. */
  get scalarKey(): boolean {
    return this.kind <= Kind.ENUM;
  }
}

/** A field compiled for the transcoders. */
export class FieldPlan {
  readonly index: number;
  readonly id: number;
  readonly name: string;
  /**
   * go.tag json alias, or the name. `json:"-"` gives the literal key "-", as in Kitex's
   * dynamicgo (its go.tag mapper turns the tag's name into `api.key`), not Go's skipping.
   */
  readonly alias: string;
  readonly field: ThriftField;
  readonly type: TypePlan;
  readonly required: boolean;
  readonly optional: boolean;
  /** `api.js_conv`: integers as JSON strings. */
  readonly jsConv: boolean;
  /** `"name":` and `"alias":` as JSON text. */
  readonly jsonKeyName: string;
  readonly jsonKeyAlias: string;
  /** `"name"` as UTF-16 units: the key the JSON → Thrift reader tries first (fields mostly come in order). */
  readonly keyQuoted: Uint16Array;
  /** The same as UTF-8 bytes, for the byte-level JSON writer. */
  readonly keyBytesName: Uint8Array;
  readonly keyBytesAlias: Uint8Array;
  /** `,"name":` and `,"alias":` as UTF-16 units for the Thrift → JSON writer (the first field starts at index 1). */
  readonly keyUnitsName: Uint16Array;
  readonly keyUnitsAlias: Uint16Array;
  /** The type's wire type, copied here to save a load per decoded field. */
  readonly ttype: number;
  /** Decode shortcut: 1 string, 2 i32/enum as a number, 3 struct, 0 anything else. */
  readonly fast: number;
  /** Lazily built default-value caches (owned by defaults.ts). */
  defaultBytes: [Uint8Array | null, Uint8Array | null] = [null, null];
  defaultJson: Array<string | undefined> = [];

  constructor(index: number, f: ThriftField, union: boolean) {
    this.index = index;
    this.id = f.id;
    this.name = f.name;
    this.alias = f.goTagJsonName !== undefined && f.goTagJsonName !== '' ? f.goTagJsonName : f.name;
    this.field = f;
    this.type = typePlan(f.type);
    this.required = !union && f.requiredness === 'required';
    this.optional = union || f.requiredness === 'optional';
    this.jsConv = hasJsConv(f);
    this.jsonKeyName = quoteJsonString(this.name) + ':';
    this.jsonKeyAlias = quoteJsonString(this.alias) + ':';
    this.keyBytesName = utf8.encode(this.jsonKeyName);
    this.keyBytesAlias = utf8.encode(this.jsonKeyAlias);
    this.keyUnitsName = toUnits(',' + this.jsonKeyName);
    this.keyQuoted = toUnits(quoteJsonString(this.name));
    this.keyUnitsAlias = toUnits(',' + this.jsonKeyAlias);
    this.ttype = this.type.ttype;
    const k = this.type.kind;
    this.fast = k === Kind.STRING ? 1 : (k === Kind.I32 || k === Kind.ENUM) && !this.jsConv ? 2 : k === Kind.STRUCT ? 3 : 0;
  }
}

const utf8 = new TextEncoder();

function hasJsConv(f: ThriftField): boolean {
  for (const a of f.annotations) {
    if (a.key === 'api.js_conv') return a.value !== 'false' && a.value !== '0';
  }
  return false;
}

/** A struct compiled for the transcoders: fields by JSON key and by id. */
export class StructPlan {
  readonly struct: ThriftStruct;
  readonly name: string;
  readonly isUnion: boolean;
  readonly fields: readonly FieldPlan[];
  /** IDL names and go.tag aliases → field. */
  readonly byKey: ReadonlyMap<string, FieldPlan>;
  /** Dense table for ids 0..255 (the common case); `byIdMap` for the rest. */
  private readonly byIdSmall: Array<FieldPlan | undefined>;
  private readonly byIdMap: ReadonlyMap<number, FieldPlan> | null;
  /** Fields that must be present when decoding. */
  readonly requiredFields: readonly FieldPlan[];
  /** True if any field may be written or injected when missing. */
  readonly hasDefaultable: boolean;

  constructor(s: ThriftStruct) {
    this.struct = s;
    this.name = s.name;
    this.isUnion = s.kind === 'union';
    const fields: FieldPlan[] = [];
    const byKey = new Map<string, FieldPlan>();
    let maxSmall = -1;
    for (const f of s.fields) if (f.id >= 0 && f.id < 256 && f.id > maxSmall) maxSmall = f.id;
    // Packed (not holey) so lookups stay on the fast path.
    const small: Array<FieldPlan | undefined> = new Array<FieldPlan | undefined>(maxSmall + 1).fill(undefined);
    let big: Map<number, FieldPlan> | null = null;
    s.fields.forEach((f, i) => {
      const fp = new FieldPlan(i, f, this.isUnion);
      fields.push(fp);
      if (f.id >= 0 && f.id < 256) small[f.id] = fp;
      else (big ??= new Map()).set(f.id, fp);
    });
    // Names win over aliases when they clash.
    for (const fp of fields) byKey.set(fp.name, fp);
    for (const fp of fields) if (!byKey.has(fp.alias)) byKey.set(fp.alias, fp);
    this.fields = fields;
    this.byKey = byKey;
    this.byIdSmall = small;
    this.byIdMap = big;
    this.requiredFields = fields.filter((f) => f.required);
    this.hasDefaultable = !this.isUnion && fields.some((f) => !f.optional || f.field.defaultValue !== undefined);
  }

  /** The field with wire id `id`, if declared. */
  byId(id: number): FieldPlan | undefined {
    if (id >= 0 && id < 256) return id < this.byIdSmall.length ? this.byIdSmall[id] : undefined;
    return this.byIdMap === null ? undefined : this.byIdMap.get(id);
  }
}

const structPlans = new WeakMap<ThriftStruct, StructPlan>();
const typePlans = new WeakMap<ThriftType, TypePlan>();

/** The (cached) plan of a struct. */
export function structPlan(s: ThriftStruct): StructPlan {
  let p = structPlans.get(s);
  if (p === undefined) {
    p = new StructPlan(s);
    structPlans.set(s, p);
  }
  return p;
}

/** The (cached) plan of a type. */
export function typePlan(t: ThriftType): TypePlan {
  let p = typePlans.get(t);
  if (p === undefined) {
    p = new TypePlan(t);
    typePlans.set(t, p);
  }
  return p;
}
