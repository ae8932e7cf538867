import type { FieldNode, FileNode, OptionNode } from './ast.js';
import { fail } from './fail.js';
import { didYouMean } from './suggest.js';

/** Resolved edition features (proto2/proto3 map onto fixed sets of them). */
export interface Features {
  readonly fieldPresence: 'EXPLICIT' | 'IMPLICIT' | 'LEGACY_REQUIRED';
  readonly enumType: 'OPEN' | 'CLOSED';
  readonly repeatedFieldEncoding: 'PACKED' | 'EXPANDED';
  readonly utf8Validation: 'VERIFY' | 'NONE';
  readonly messageEncoding: 'LENGTH_PREFIXED' | 'DELIMITED';
  readonly jsonFormat: 'ALLOW' | 'LEGACY_BEST_EFFORT';
}

const PROTO2: Features = {
  fieldPresence: 'EXPLICIT', enumType: 'CLOSED', repeatedFieldEncoding: 'EXPANDED', utf8Validation: 'NONE',
  messageEncoding: 'LENGTH_PREFIXED', jsonFormat: 'LEGACY_BEST_EFFORT',
};
const PROTO3: Features = {
  fieldPresence: 'IMPLICIT', enumType: 'OPEN', repeatedFieldEncoding: 'PACKED', utf8Validation: 'VERIFY',
  messageEncoding: 'LENGTH_PREFIXED', jsonFormat: 'ALLOW',
};
/** Edition 2023's defaults (also those of editions decoded from descriptor sets). */
export const EDITION_2023: Features = {
  fieldPresence: 'EXPLICIT', enumType: 'OPEN', repeatedFieldEncoding: 'PACKED', utf8Validation: 'VERIFY',
  messageEncoding: 'LENGTH_PREFIXED', jsonFormat: 'ALLOW',
};

const FEATURE_VALUES: Record<string, { key: keyof Features; values: readonly string[] }> = {
  field_presence: { key: 'fieldPresence', values: ['EXPLICIT', 'IMPLICIT', 'LEGACY_REQUIRED'] },
  enum_type: { key: 'enumType', values: ['OPEN', 'CLOSED'] },
  repeated_field_encoding: { key: 'repeatedFieldEncoding', values: ['PACKED', 'EXPANDED'] },
  utf8_validation: { key: 'utf8Validation', values: ['VERIFY', 'NONE'] },
  message_encoding: { key: 'messageEncoding', values: ['LENGTH_PREFIXED', 'DELIMITED'] },
  json_format: { key: 'jsonFormat', values: ['ALLOW', 'LEGACY_BEST_EFFORT'] },
};

/** The features in force at file level. */
export function fileFeatures(node: FileNode, fileName: string): Features {
  if (node.syntax === 'proto2') return PROTO2;
  if (node.syntax === 'proto3') return PROTO3;
  return scopeFeatures(EDITION_2023, node.options, fileName);
}

/** `parent` overridden by the `features.*` options among `options` (editions only; no-op when none). */
export function scopeFeatures(parent: Features, options: readonly OptionNode[], fileName: string): Features {
  let out: { -readonly [K in keyof Features]: Features[K] } | undefined;
  for (const o of options) {
    const first = o.parts[0]!;
    if (first.extension || first.name !== 'features') continue;
    if (parent === PROTO2 || parent === PROTO3) {
      fail(fileName, o.pos, `option "${o.name}" is only allowed in editions files (edition = "2023")`);
    }
    const sub = o.parts[1];
    if (!sub) fail(fileName, o.pos, 'set individual features, e.g. "option features.field_presence = IMPLICIT;"');
    if (sub.extension) continue; // language-specific feature sets do not change the wire format
    const spec = FEATURE_VALUES[sub.name];
    if (!spec) fail(fileName, sub.pos, `unknown feature "${sub.name}"${didYouMean(sub.name, Object.keys(FEATURE_VALUES))}`);
    const v = o.value;
    const id = typeof v === 'object' && v !== null && 'identifier' in v ? (v.identifier as string) : undefined;
    if (id === undefined || !spec.values.includes(id)) {
      fail(fileName, o.valuePos, `feature "${sub.name}" must be one of ${spec.values.join(', ')}`);
    }
    out ??= { ...parent };
    (out as Record<string, string>)[spec.key] = id;
  }
  return out ?? parent;
}

/** Features in force on a field, with editions' per-field rules checked. */
export function fieldFeatures(parent: Features, f: FieldNode, fileName: string): Features {
  const feats = scopeFeatures(parent, f.options, fileName);
  if (feats !== parent) {
    const presence = f.options.find((o) => o.parts[0]!.name === 'features' && o.parts[1]?.name === 'field_presence');
    if (presence && (f.label === 'repeated' || f.oneofIndex !== undefined || f.extendee !== undefined)) {
      fail(fileName, presence.pos, `"features.field_presence" cannot be set on ${f.label === 'repeated' ? 'repeated fields' : f.oneofIndex !== undefined ? 'oneof members' : 'extensions'}`);
    }
  }
  return feats;
}
