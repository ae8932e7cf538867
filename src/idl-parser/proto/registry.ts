import type { ProtoEnum, ProtoField, ProtoFile, ProtoMessage, ProtoService } from './descriptor.js';

function strip(name: string): string {
  return name.charCodeAt(0) === 46 ? name.slice(1) : name;
}

/**
 * The resolved files of one load: the main file, everything it imports
 * (dependencies before dependents) and name lookups over all of them.
 * Lookups accept full names with or without a leading dot.
 */
export class ProtoRegistry {
  /** The file that was loaded (the others are its imports). */
  readonly mainFile: ProtoFile;
  /** All files, dependencies before dependents; the main file is last when loaded from `.proto` text. */
  readonly files: readonly ProtoFile[];
  /** The main file's services. */
  readonly services: readonly ProtoService[];
  private readonly messageIndex = new Map<string, ProtoMessage>();
  private readonly enumIndex = new Map<string, ProtoEnum>();
  private readonly serviceIndex = new Map<string, ProtoService>();
  private readonly extensionIndex = new Map<string, ProtoField>();
  private readonly extendeeIndex = new Map<string, ProtoField[]>();

  /**
   * Built by the loaders; `files` must be in dependency order. The main file is the last one
   * unless given (a descriptor set's files need not end with the one whose service is wanted).
   */
  constructor(files: readonly ProtoFile[], mainFile: ProtoFile = files[files.length - 1]!) {
    this.files = files;
    this.mainFile = mainFile;
    this.services = this.mainFile.services;
    const addExt = (f: ProtoField): void => {
      this.extensionIndex.set(f.fullName, f);
      const extendee = f.extendee!.fullName;
      let list = this.extendeeIndex.get(extendee);
      if (!list) this.extendeeIndex.set(extendee, (list = []));
      list.push(f);
    };
    const addMessage = (m: ProtoMessage): void => {
      this.messageIndex.set(m.fullName, m);
      for (const e of m.nestedEnums) this.enumIndex.set(e.fullName, e);
      for (const x of m.extensions) addExt(x);
      for (const n of m.nestedMessages) addMessage(n);
    };
    for (const file of files) {
      for (const x of file.extensions) addExt(x);
      for (const m of file.messages) addMessage(m);
      for (const e of file.enums) this.enumIndex.set(e.fullName, e);
      for (const s of file.services) this.serviceIndex.set(s.fullName, s);
    }
  }

  /** A message (including nested and map entry types) by full name. */
  findMessage(fullName: string): ProtoMessage | undefined {
    return this.messageIndex.get(strip(fullName));
  }

  /** An enum by full name. */
  findEnum(fullName: string): ProtoEnum | undefined {
    return this.enumIndex.get(strip(fullName));
  }

  /** A service by full name, or by simple name among the main file's services. */
  findService(nameOrFullName: string): ProtoService | undefined {
    const name = strip(nameOrFullName);
    return this.serviceIndex.get(name) ?? this.services.find((s) => s.name === name);
  }

  /** An extension field by full name (`pkg.Scope.ext`). */
  findExtension(fullName: string): ProtoField | undefined {
    return this.extensionIndex.get(strip(fullName));
  }

  /** All loaded extensions of a message: per file in load order, top-level `extend`s before nested ones. */
  extensionsOf(messageFullName: string): readonly ProtoField[] {
    return this.extendeeIndex.get(strip(messageFullName)) ?? [];
  }

  /** Every message of every file, nested ones included. */
  messages(): IterableIterator<ProtoMessage> {
    return this.messageIndex.values();
  }

  /** Every enum of every file, nested ones included. */
  enums(): IterableIterator<ProtoEnum> {
    return this.enumIndex.values();
  }
}
