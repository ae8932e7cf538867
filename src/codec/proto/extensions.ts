import type { ProtoField } from '../../idl-parser/proto/descriptor.js';
import { compileField, type FieldPlan, type MessagePlan } from './plan.js';

/** Where the codec finds the extensions loaded for a message (a `ProtoRegistry` fits). */
export interface ExtensionSource {
  extensionsOf(messageFullName: string): readonly ProtoField[];
}

/** The extensions loaded for one extendable message, ready for the transcoders. */
export interface ExtensionPlan {
  /** Each extension's plan: slot index `extendee fields + k`, JSON key and path `[full.name]`. */
  readonly fields: readonly FieldPlan[];
  /** The extendee's fields followed by its extensions, indexed by slot. */
  readonly all: readonly FieldPlan[];
  readonly byNumber: ReadonlyMap<number, FieldPlan>;
  /** By JSON key: `"[pkg.ext]"`. */
  readonly byKey: ReadonlyMap<string, FieldPlan>;
}

const NO_ONEOFS = new Map<number, number[]>();

/**
 * Extensions per codec (so per provider: every file it loaded), compiled on first
 * use per extendee. Plans of messages are shared by every codec; their extensions are
 * not, so they live here and the transcoders ask for them only for a field number or
 * key the message itself does not have.
 */
export class Extensions {
  private readonly cache = new Map<MessagePlan, ExtensionPlan | null>();

  constructor(private readonly source: ExtensionSource) {}

  /** The extensions of `plan`'s message, or undefined when none are loaded. */
  of(plan: MessagePlan): ExtensionPlan | undefined {
    let x = this.cache.get(plan);
    if (x === undefined) {
      x = compile(plan, this.source.extensionsOf(plan.desc.fullName));
      this.cache.set(plan, x);
    }
    return x ?? undefined;
  }
}

function compile(plan: MessagePlan, list: readonly ProtoField[]): ExtensionPlan | null {
  if (list.length === 0) return null;
  const n = plan.fields.length;
  const fields = list.map((f, k) => compileField(f, n + k, NO_ONEOFS, `[${f.fullName}]`));
  return {
    fields,
    all: [...plan.fields, ...fields],
    byNumber: new Map(fields.map((f) => [f.number, f])),
    byKey: new Map(fields.map((f) => [f.name, f])),
  };
}
