import type { Pos } from './ast.js';
import { didYouMean } from './suggest.js';

/** What a fully qualified name denotes. */
export type SymbolKind = 'package' | 'message' | 'enum' | 'service' | 'field' | 'extension' | 'enumValue' | 'oneof' | 'method';

/** One entry of the pool-wide symbol table. */
export interface Sym {
  readonly kind: SymbolKind;
  readonly fullName: string;
  /** Defining file (for packages: the first file seen declaring it). */
  readonly file: string;
  readonly pos: Pos;
  /** The descriptor object, for messages, enums, services and extensions. */
  readonly value: unknown;
}

const AGGREGATES: ReadonlySet<SymbolKind> = new Set(['package', 'message', 'enum', 'service']);

/** Result of a failed lookup, with enough context for an actionable message. */
export interface LookupMiss {
  readonly found: undefined;
  readonly reason: string;
}

/**
 * All symbols of the files loaded so far, with protoc's visibility rule: a
 * file sees its own symbols and those of its imports (plus their public
 * imports, transitively).
 */
export class SymbolTable {
  private readonly syms = new Map<string, Sym>();
  /** Package name (and each prefix) → files declaring it. */
  private readonly packages = new Map<string, string[]>();

  get(fullName: string): Sym | undefined {
    return this.syms.get(fullName);
  }

  /** Adds a symbol; returns the existing one on a clash. */
  add(sym: Sym): Sym | undefined {
    const prev = this.syms.get(sym.fullName);
    if (prev) {
      if (prev.kind === 'package' && sym.kind === 'package') {
        const files = this.packages.get(sym.fullName)!;
        if (!files.includes(sym.file)) files.push(sym.file);
        return undefined;
      }
      return prev;
    }
    this.syms.set(sym.fullName, sym);
    if (sym.kind === 'package') this.packages.set(sym.fullName, [sym.file]);
    return undefined;
  }

  /** Full names of visible symbols whose kind is in `kinds` (for suggestions). */
  *visibleNames(visible: ReadonlySet<string>, kinds: ReadonlySet<SymbolKind>): Iterable<Sym> {
    for (const s of this.syms.values()) if (kinds.has(s.kind) && this.isVisible(s, visible)) yield s;
  }

  isVisible(s: Sym, visible: ReadonlySet<string>): boolean {
    if (s.kind !== 'package') return visible.has(s.file);
    for (const f of this.packages.get(s.fullName)!) if (visible.has(f)) return true;
    return false;
  }

  /**
   * protoc's name resolution: a leading dot is absolute; otherwise the first
   * component is searched from the innermost scope of `relativeTo` outwards and
   * the rest looked up inside what it names.
   */
  lookup(
    name: string,
    relativeTo: string,
    visible: ReadonlySet<string>,
    typesOnly: boolean,
    fromFile: string,
  ): Sym | LookupMiss {
    this.hidden = undefined;
    if (name.charCodeAt(0) === 46) {
      return this.find(name.slice(1), visible) ?? this.miss(name, fromFile, `"${name}" is not defined`);
    }
    const dot = name.indexOf('.');
    const first = dot < 0 ? name : name.slice(0, dot);
    let scope = relativeTo;
    for (;;) {
      const cut = scope.lastIndexOf('.');
      if (cut < 0) {
        const s = this.find(name, visible);
        if (s && (!typesOnly || s.kind === 'message' || s.kind === 'enum')) return s;
        if (s) return { found: undefined, reason: `"${name}" is not a type (it names ${s.kind === 'enumValue' ? 'an enum value' : `a ${s.kind}`})` };
        return this.miss(name, fromFile, undefined, relativeTo, visible, typesOnly);
      }
      scope = scope.slice(0, cut);
      const s = this.find(scope + '.' + first, visible);
      if (s) {
        if (dot >= 0) {
          if (AGGREGATES.has(s.kind)) {
            const full = scope + '.' + name;
            return (
              this.find(full, visible) ??
              this.miss(
                name,
                fromFile,
                `"${name}" is resolved to "${full}", which is not defined; the innermost scope is searched first, so use a leading dot (".${name}") to start from the outermost scope`,
              )
            );
          }
        } else if (!typesOnly || s.kind === 'message' || s.kind === 'enum') {
          return s;
        }
      }
    }
  }

  /** A symbol found during the current lookup but not visible from the importing file. */
  private hidden: Sym | undefined;

  private find(full: string, visible: ReadonlySet<string>): Sym | undefined {
    const s = this.syms.get(full);
    if (!s) return undefined;
    if (this.isVisible(s, visible)) return s;
    this.hidden ??= s;
    return undefined;
  }

  private miss(
    name: string,
    fromFile: string,
    reason: string | undefined,
    relativeTo = '',
    visible: ReadonlySet<string> = new Set(),
    typesOnly = false,
  ): LookupMiss {
    const hidden = this.hidden;
    if (hidden) {
      return {
        found: undefined,
        reason: `"${name}" seems to be defined in "${hidden.file}", which is not imported by "${fromFile}"; add the import to use it here`,
      };
    }
    return { found: undefined, reason: reason ?? this.unknownReason(name, relativeTo, visible, typesOnly) };
  }

  private unknownReason(name: string, relativeTo: string, visible: ReadonlySet<string>, typesOnly: boolean): string {
    const kinds: ReadonlySet<SymbolKind> = typesOnly ? new Set(['message', 'enum']) : new Set(['message', 'enum', 'service', 'extension']);
    // Offer candidates spelled the way the user wrote the name: as many trailing components,
    // or relative to the current scope.
    const depth = name.split('.').length;
    const cands = new Set<string>();
    const scopes: string[] = [];
    for (let s = relativeTo; s; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      scopes.push(s + '.');
      if (s.lastIndexOf('.') < 0) break;
    }
    for (const s of this.visibleNames(visible, kinds)) {
      const parts = s.fullName.split('.');
      cands.add(parts.slice(-depth).join('.'));
      for (const sc of scopes) if (s.fullName.startsWith(sc)) cands.add(s.fullName.slice(sc.length));
      cands.add(s.fullName);
    }
    return `unknown ${typesOnly ? 'type' : 'name'} "${name}"${didYouMean(name, cands)}`;
  }
}
