import type { ThriftConst, ThriftEnum, ThriftFile, ThriftService, ThriftStruct, ThriftTypedef } from './descriptor.js';

/**
 * A loaded IDL: the main file, every file it includes (includes before
 * includers), and look-ups by name. A plain name (`Kitchen`) is looked up in
 * the main file; a qualified one (`kitchen.Kitchen`) in the file whose include
 * name is `kitchen`.
 */
export class ThriftRegistry {
  /** The file that was loaded. */
  readonly mainFile: ThriftFile;
  /** All files, includes before the files that include them; the main file is last. */
  readonly files: readonly ThriftFile[];

  constructor(mainFile: ThriftFile, files: readonly ThriftFile[]) {
    this.mainFile = mainFile;
    this.files = files;
  }

  /** The main file's services. */
  get services(): readonly ThriftService[] {
    return this.mainFile.services;
  }

  /** A struct, union or exception. */
  findStruct(name: string): ThriftStruct | undefined {
    return this.find(name, (f) => f.structs);
  }

  /** An enum. */
  findEnum(name: string): ThriftEnum | undefined {
    return this.find(name, (f) => f.enums);
  }

  /** A service. */
  findService(name: string): ThriftService | undefined {
    return this.find(name, (f) => f.services);
  }

  /** A typedef. */
  findTypedef(name: string): ThriftTypedef | undefined {
    return this.find(name, (f) => f.typedefs);
  }

  /** A constant. */
  findConst(name: string): ThriftConst | undefined {
    return this.find(name, (f) => f.constants);
  }

  private find<T extends { readonly name: string }>(name: string, list: (f: ThriftFile) => readonly T[]): T | undefined {
    const dot = name.indexOf('.');
    if (dot < 0) return list(this.mainFile).find((x) => x.name === name);
    const inc = name.slice(0, dot);
    const local = name.slice(dot + 1);
    // The main file first, then the nearest include of that name.
    for (let i = this.files.length - 1; i >= 0; i--) {
      const f = this.files[i]!;
      if (f.includeName !== inc) continue;
      const hit = list(f).find((x) => x.name === local);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}
