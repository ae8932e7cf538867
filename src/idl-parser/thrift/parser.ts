import type { ThriftBaseKind, ThriftRequiredness } from './descriptor.js';
import type {
  AnnotationNode, ConstDefNode, ConstNode, DefinitionNode, DocumentNode, EnumNode, FieldNode, FunctionNode, Pos,
  ServiceNode, StructNode, TypeNode, TypedefNode,
} from './ast.js';
import { Lexer, Tok } from './lexer.js';

const LBRACE = 123, RBRACE = 125, LBRACK = 91, RBRACK = 93, LPAREN = 40, RPAREN = 41, LT = 60, GT = 62;
const COMMA = 44, SEMI = 59, COLON = 58, EQ = 61, STAR = 42, AMP = 38;

// Maps, not object literals: a type named `toString` must not hit Object.prototype.
const BASE_TYPES: ReadonlyMap<string, ThriftBaseKind> = new Map([
  ['bool', 'bool'], ['byte', 'byte'], ['i8', 'byte'], ['i16', 'i16'], ['i32', 'i32'], ['i64', 'i64'],
  ['double', 'double'], ['string', 'string'], ['binary', 'binary'], ['uuid', 'uuid'],
]);

/** Pre-0.9 namespace statements the compiler now rejects, with their replacement. */
const OLD_NAMESPACES: ReadonlyMap<string, string> = new Map([
  ['cpp_namespace', 'cpp'], ['php_namespace', 'php'], ['py_module', 'py'], ['perl_package', 'perl'], ['ruby_namespace', 'rb'],
  ['smalltalk_category', 'smalltalk.category'], ['smalltalk_prefix', 'smalltalk.prefix'], ['java_package', 'java'],
  ['cocoa_prefix', 'cocoa'], ['csharp_namespace', 'csharp'], ['delphi_namespace', 'delphi'], ['xsd_namespace', 'xsd'],
]);

const I64_MAX = (1n << 63n) - 1n;
const I32_MIN = -(1n << 31n), I32_MAX = (1n << 31n) - 1n;

/**
 * Parses one `.thrift` file into its syntax tree (recursive descent over the
 * Apache Thrift 0.17 grammar). Throws `IdlError` at the first syntax error.
 */
export function parseDocument(src: string, file: string): DocumentNode {
  return new Parser(src, file).document();
}

class Parser {
  private readonly lx: Lexer;

  constructor(src: string, file: string) {
    this.lx = new Lexer(src, file);
  }

  document(): DocumentNode {
    const lx = this.lx;
    const doc: DocumentNode = { namespaces: new Map(), includes: [], cppIncludes: [], definitions: [] };
    for (;;) {
      if (lx.isWord('include')) {
        const pos = this.pos();
        lx.next();
        doc.includes.push({ path: this.literal('the included file name'), pos });
      } else if (lx.isWord('cpp_include')) {
        lx.next();
        doc.cppIncludes.push(this.literal('the C++ include'));
      } else if (lx.isWord('namespace')) {
        lx.next();
        let scope: string;
        if (lx.isPunct(STAR)) {
          scope = '*';
          lx.next();
        } else {
          scope = this.ident('a namespace language or *');
        }
        doc.namespaces.set(scope, this.ident('a namespace name'));
        if (scope !== '*') this.annotations();
      } else if (lx.kind === Tok.Ident && OLD_NAMESPACES.has(lx.text())) {
        const w = lx.text();
        throw lx.error(`'${w}' is no longer supported; use 'namespace ${OLD_NAMESPACES.get(w)!} …' instead`);
      } else {
        break;
      }
    }
    while (lx.kind !== Tok.Eof) doc.definitions.push(this.definition());
    return doc;
  }

  private definition(): DefinitionNode {
    const lx = this.lx;
    if (lx.kind === Tok.Ident) {
      const w = lx.text();
      switch (w) {
        case 'struct':
        case 'union':
        case 'exception':
          return this.struct(w);
        case 'enum':
          return this.enum();
        case 'typedef':
          return this.typedef();
        case 'const':
          return this.constDef();
        case 'service':
          return this.service();
        case 'senum':
          throw lx.error("'senum' is no longer supported; use 'string' instead");
        case 'include':
        case 'cpp_include':
        case 'namespace':
          throw lx.error(`'${w}' must come before the first definition`);
      }
    }
    throw lx.error(`expected a definition (struct, union, exception, enum, typedef, const or service), found ${lx.describe()}`);
  }

  private typedef(): TypedefNode {
    const pos = this.pos();
    this.lx.next();
    const type = this.type();
    const name = this.ident('the typedef name');
    const annotations = this.annotations();
    this.separator();
    return { kind: 'typedef', name, type, annotations, pos };
  }

  private constDef(): ConstDefNode {
    const pos = this.pos();
    this.lx.next();
    const type = this.type();
    const name = this.ident('the constant name');
    this.expect(EQ, "'='");
    const value = this.constValue();
    this.separator();
    return { kind: 'const', name, type, value, pos };
  }

  private enum(): EnumNode {
    const lx = this.lx;
    const pos = this.pos();
    lx.next();
    const name = this.ident('the enum name');
    this.expect(LBRACE, "'{'");
    const values: EnumNode['values'] = [];
    while (!lx.isPunct(RBRACE)) {
      const vpos = this.pos();
      const vname = this.ident("an enum value name or '}'");
      let value: bigint | undefined;
      if (lx.isPunct(EQ)) {
        lx.next();
        if (lx.kind !== Tok.Int) throw lx.error(`expected an integer enum value, found ${lx.describe()}`);
        const v = this.intValue();
        if (v < I32_MIN || v > I32_MAX) throw lx.error(`enum value ${v} of ${name}.${vname} is outside the 32-bit range`);
        value = v;
        lx.next();
      }
      values.push({ name: vname, value, annotations: this.annotations(), pos: vpos });
      this.separator();
    }
    lx.next();
    return { kind: 'enum', name, values, annotations: this.annotations(), pos };
  }

  private struct(kind: 'struct' | 'union' | 'exception'): StructNode {
    const pos = this.pos();
    this.lx.next();
    const name = this.ident(`the ${kind} name`);
    this.rejectXsd();
    this.expect(LBRACE, "'{'");
    const fields = this.fields(RBRACE);
    return { kind, name, fields, annotations: this.annotations(), pos };
  }

  private service(): ServiceNode {
    const lx = this.lx;
    const pos = this.pos();
    lx.next();
    const name = this.ident('the service name');
    let ext: ServiceNode['extends'];
    if (lx.isWord('extends')) {
      lx.next();
      const epos = this.pos();
      ext = { name: this.ident('the name of the extended service'), pos: epos };
    }
    this.expect(LBRACE, "'{'");
    const functions: FunctionNode[] = [];
    while (!lx.isPunct(RBRACE)) functions.push(this.function());
    lx.next();
    return { kind: 'service', name, extends: ext, functions, annotations: this.annotations(), pos };
  }

  private function(): FunctionNode {
    const lx = this.lx;
    const pos = this.pos();
    let oneway = false;
    if (lx.isWord('oneway') || lx.isWord('async')) {
      oneway = true;
      lx.next();
    }
    let returnType: TypeNode | undefined;
    if (lx.isWord('void')) lx.next();
    else returnType = this.type("a return type, 'void' or '}'");
    const name = this.ident('the function name');
    this.expect(LPAREN, "'('");
    const args = this.fields(RPAREN);
    let throws: FieldNode[] = [];
    if (lx.isWord('throws')) {
      lx.next();
      this.expect(LPAREN, "'('");
      throws = this.fields(RPAREN);
    }
    const annotations = this.annotations();
    this.separator();
    return { name, oneway, returnType, args, throws, annotations, pos };
  }

  /** A field list up to and including `close`, with ids assigned as the compiler does. */
  private fields(close: number): FieldNode[] {
    const lx = this.lx;
    const out: FieldNode[] = [];
    let nextImplicit = -1;
    while (!lx.isPunct(close)) {
      const pos = this.pos();
      let id: number | undefined;
      if (lx.kind === Tok.Int) {
        const v = this.intValue();
        if (v > 32767n) throw lx.error(`field id ${v} is out of range (1..32767)`);
        lx.next();
        this.expect(COLON, "':' after the field id");
        // The compiler ignores non-positive explicit ids (with a warning) and assigns one.
        if (v > 0n) id = Number(v);
      }
      let requiredness: ThriftRequiredness = 'default';
      if (lx.isWord('required')) {
        requiredness = 'required';
        lx.next();
      } else if (lx.isWord('optional')) {
        requiredness = 'optional';
        lx.next();
      }
      const type = this.type(close === RBRACE ? "a field type or '}'" : "a field type or ')'");
      if (lx.isPunct(AMP)) lx.next(); // C++ reference marker: no meaning on the wire.
      const namePos = this.pos();
      const name = this.ident('the field name');
      let defaultValue: ConstNode | undefined;
      if (lx.isPunct(EQ)) {
        lx.next();
        defaultValue = this.constValue();
      }
      this.rejectXsd();
      const annotations = this.annotations();
      this.separator();
      const implicitId = id === undefined;
      out.push({ id: id ?? nextImplicit--, implicitId, name, type, requiredness, defaultValue, annotations, pos, namePos });
    }
    lx.next();
    return out;
  }

  private type(what = 'a type'): TypeNode {
    const lx = this.lx;
    if (lx.kind !== Tok.Ident) throw lx.error(`expected ${what}, found ${lx.describe()}`);
    const pos = this.pos();
    const w = lx.text();
    const base = BASE_TYPES.get(w);
    if (base !== undefined) {
      lx.next();
      return { kind: 'base', base, annotations: this.annotations(), pos };
    }
    switch (w) {
      case 'list': {
        lx.next();
        this.expect(LT, "'<' after 'list'");
        const element = this.type();
        this.expect(GT, "'>'");
        this.cppType();
        return { kind: 'list', element, annotations: this.annotations(), pos };
      }
      case 'set': {
        lx.next();
        this.cppType();
        this.expect(LT, "'<' after 'set'");
        const element = this.type();
        this.expect(GT, "'>'");
        return { kind: 'set', element, annotations: this.annotations(), pos };
      }
      case 'map': {
        lx.next();
        this.cppType();
        this.expect(LT, "'<' after 'map'");
        const key = this.type();
        this.expect(COMMA, "',' between the map key and value types");
        const value = this.type();
        this.expect(GT, "'>'");
        return { kind: 'map', key, value, annotations: this.annotations(), pos };
      }
      case 'slist':
        throw lx.error("'slist' is no longer supported; use 'string' instead");
      case 'void':
        throw lx.error("'void' is only allowed as a function return type");
    }
    lx.next();
    return { kind: 'ref', name: w, pos };
  }

  /** The XSD generator's keywords, removed from the grammar in 0.10. */
  private rejectXsd(): void {
    const lx = this.lx;
    if (lx.isWord('xsd_all') || lx.isWord('xsd_optional') || lx.isWord('xsd_nillable') || lx.isWord('xsd_attrs')) {
      throw lx.error(`'${lx.text()}' is no longer supported`);
    }
  }

  private cppType(): void {
    if (this.lx.isWord('cpp_type')) {
      this.lx.next();
      this.literal('the C++ type');
    }
  }

  private constValue(): ConstNode {
    const lx = this.lx;
    const pos = this.pos();
    switch (lx.kind) {
      case Tok.Int: {
        const value = this.intValue();
        lx.next();
        return { kind: 'int', value, pos };
      }
      case Tok.Double: {
        const value = Number(lx.text());
        lx.next();
        return { kind: 'double', value, pos };
      }
      case Tok.String: {
        const value = lx.str;
        lx.next();
        return { kind: 'string', value, pos };
      }
      case Tok.Ident: {
        const name = lx.text();
        lx.next();
        // The compiler lexes true and false as the integers 1 and 0.
        if (name === 'true') return { kind: 'int', value: 1n, pos };
        if (name === 'false') return { kind: 'int', value: 0n, pos };
        return { kind: 'ident', name, pos };
      }
      case Tok.Punct:
        if (lx.punct === LBRACK) {
          lx.next();
          const items: ConstNode[] = [];
          while (!lx.isPunct(RBRACK)) {
            items.push(this.constValue());
            this.separator();
          }
          lx.next();
          return { kind: 'list', items, pos };
        }
        if (lx.punct === LBRACE) {
          lx.next();
          const entries: Array<[ConstNode, ConstNode]> = [];
          while (!lx.isPunct(RBRACE)) {
            const k = this.constValue();
            this.expect(COLON, "':' after the map key");
            entries.push([k, this.constValue()]);
            this.separator();
          }
          lx.next();
          return { kind: 'map', entries, pos };
        }
    }
    throw lx.error(`expected a constant value, found ${lx.describe()}`);
  }

  private intValue(): bigint {
    const lx = this.lx;
    // Field ids and most constants are short decimals: skip BigInt's string parsing.
    if (lx.end - lx.start < 10) {
      const src = lx.src;
      let n = 0;
      let i = lx.start;
      const neg = src.charCodeAt(i) === 45;
      if (neg || src.charCodeAt(i) === 43) i++;
      for (; i < lx.end; i++) {
        const c = src.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        n = n * 10 + c;
      }
      if (i === lx.end) return BigInt(neg ? -n : n);
    }
    const t = lx.text();
    const neg = t.charCodeAt(0) === 45;
    const digits = neg || t.charCodeAt(0) === 43 ? t.slice(1) : t;
    const mag = BigInt(digits);
    if (mag > (neg ? I64_MAX + 1n : I64_MAX)) throw lx.error(`integer ${t} does not fit in 64 bits`);
    return neg ? -mag : mag;
  }

  /** Optional `( key = "value", flag )`; a bare flag gets `"1"` as the compiler does. */
  private annotations(): AnnotationNode[] {
    const lx = this.lx;
    if (!lx.isPunct(LPAREN)) return EMPTY;
    lx.next();
    const out: AnnotationNode[] = [];
    while (!lx.isPunct(RPAREN)) {
      const pos = this.pos();
      const key = this.ident("an annotation name or ')'");
      let value = '1';
      if (lx.isPunct(EQ)) {
        lx.next();
        value = this.literal('an annotation value (a string literal)');
      }
      out.push({ key, value, pos });
      this.separator();
    }
    lx.next();
    return out;
  }

  private separator(): void {
    if (this.lx.isPunct(COMMA) || this.lx.isPunct(SEMI)) this.lx.next();
  }

  private ident(what: string): string {
    const lx = this.lx;
    if (lx.kind !== Tok.Ident) throw lx.error(`expected ${what}, found ${lx.describe()}`);
    const t = lx.text();
    lx.next();
    return t;
  }

  private literal(what: string): string {
    const lx = this.lx;
    if (lx.kind !== Tok.String) throw lx.error(`expected ${what}, found ${lx.describe()}`);
    const s = lx.str;
    lx.next();
    return s;
  }

  private expect(code: number, what: string): void {
    const lx = this.lx;
    if (!lx.isPunct(code)) throw lx.error(`expected ${what}, found ${lx.describe()}`);
    lx.next();
  }

  private pos(): Pos {
    return { line: this.lx.tokLine, column: this.lx.tokCol };
  }
}

const EMPTY: AnnotationNode[] = [];
