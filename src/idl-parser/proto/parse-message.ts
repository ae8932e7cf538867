import type { FieldNode, Label, MessageNode, OneofNode, OptionNode, Pos } from './ast.js';
import { cEscape, simpleDtoa, simpleFtoa } from './default-value.js';
import { mapEntryName } from './json-name.js';
import { bytesToUtf8, Lexer, T_FLOAT, T_IDENT, T_INT, T_STRING } from './lexer.js';
import { parseEnum, parseRanges, parseReserved } from './parse-enum.js';
import { parseBracketOptions, parseDottedName, parseStringBytes } from './parse-options.js';
import {
  CH_COMMA, CH_EQ, CH_GT, CH_LBRACE, CH_LBRACKET, CH_LT, CH_MINUS, CH_RBRACE, CH_SEMI, expectIdent, expectInt,
  expectSym, here, parseOptionStatement, skipEmpty, type ParseState,
} from './parse-util.js';

/** Scalar type keywords. */
export const SCALAR_TYPES: ReadonlySet<string> = new Set([
  'double', 'float', 'int64', 'uint64', 'int32', 'fixed64', 'fixed32', 'bool', 'string', 'bytes', 'uint32',
  'sfixed32', 'sfixed64', 'sint32', 'sint64',
]);

function newMessage(name: string, pos: Pos): MessageNode {
  return {
    name, pos, fields: [], messages: [], enums: [], extensions: [], oneofs: [], extensionRanges: [],
    reservedRanges: [], reservedNames: [], options: [], mapEntry: false,
  };
}

/** `message Name { … }` (the `message` keyword is current). */
export function parseMessage(st: ParseState): MessageNode {
  const lx = st.lx;
  lx.next();
  const pos = here(lx);
  const name = expectIdent(lx, 'message name');
  const msg = newMessage(name, pos);
  expectSym(lx, CH_LBRACE, `after message name "${name}"`);
  parseMessageBody(st, msg);
  return msg;
}

/** Statements up to and including the closing `}`. */
function parseMessageBody(st: ParseState, msg: MessageNode): void {
  const lx = st.lx;
  for (;;) {
    if (lx.isSym(CH_RBRACE)) {
      lx.next();
      break;
    }
    if (skipEmpty(lx)) continue;
    if (lx.kind !== T_IDENT && !lx.isSym(46)) {
      lx.fail(`expected field, message, enum, oneof, option, reserved, extensions or extend in message "${msg.name}", found ${lx.describe()}`);
    }
    if (lx.isWord('message')) msg.messages.push(parseMessage(st));
    else if (lx.isWord('enum')) msg.enums.push(parseEnum(st));
    else if (lx.isWord('option')) parseOptionStatement(lx, msg.options);
    else if (lx.isWord('reserved')) parseReserved(st, msg.reservedRanges, msg.reservedNames, false);
    else if (lx.isWord('oneof')) parseOneof(st, msg);
    else if (lx.isWord('extend')) parseExtend(st, msg.extensions, msg.messages);
    else if (lx.isWord('extensions')) parseExtensionRanges(st, msg);
    else msg.fields.push(parseField(st, msg.messages, undefined, undefined));
  }
  if (st.syntax === 'proto3') addSyntheticOneofs(msg);
}

function parseExtensionRanges(st: ParseState, msg: MessageNode): void {
  const lx = st.lx;
  lx.next();
  const ranges: Array<{ start: number; end: number; pos: Pos }> = [];
  parseRanges(st, ranges, false, 'extension');
  const options: OptionNode[] = [];
  if (lx.isSym(CH_LBRACKET)) parseBracketOptions(lx, () => false, options);
  expectSym(lx, CH_SEMI, 'after extensions');
  // One statement's options apply to each of its ranges, as in protoc.
  for (const r of ranges) msg.extensionRanges.push({ ...r, options });
}

function parseOneof(st: ParseState, msg: MessageNode): void {
  const lx = st.lx;
  lx.next();
  const pos = here(lx);
  const name = expectIdent(lx, 'oneof name');
  const oneof: OneofNode = { name, pos, options: [], synthetic: false, fields: [] };
  const index = msg.oneofs.length;
  msg.oneofs.push(oneof);
  expectSym(lx, CH_LBRACE, `after oneof name "${name}"`);
  while (!lx.isSym(CH_RBRACE)) {
    if (skipEmpty(lx)) continue;
    if (lx.isWord('option')) {
      parseOptionStatement(lx, oneof.options);
      continue;
    }
    const f = parseField(st, msg.messages, index, undefined);
    oneof.fields.push(f);
    msg.fields.push(f);
  }
  lx.next();
}

/** `extend Foo { … }`: fields go to `out`, group bodies to `nested`. */
export function parseExtend(st: ParseState, out: FieldNode[], nested: MessageNode[]): void {
  const lx = st.lx;
  lx.next();
  const extendeePos = here(lx);
  const extendee = parseDottedName(lx, 'message name after "extend"', true);
  expectSym(lx, CH_LBRACE, `after "extend ${extendee}"`);
  while (!lx.isSym(CH_RBRACE)) {
    if (skipEmpty(lx)) continue;
    out.push(parseField(st, nested, undefined, { extendee, extendeePos }));
  }
  lx.next();
}

/** proto3 `optional` fields each get a one-field oneof named like protoc: `_name`, prefixed with `X` until unique. */
function addSyntheticOneofs(msg: MessageNode): void {
  let names: Set<string> | undefined;
  for (const f of msg.fields) {
    if (!f.proto3Optional) continue;
    if (!names) {
      names = new Set();
      for (const g of msg.fields) names.add(g.name);
      for (const o of msg.oneofs) names.add(o.name);
    }
    let name = f.name.startsWith('_') ? f.name : '_' + f.name;
    while (names.has(name)) name = 'X' + name;
    names.add(name);
    f.oneofIndex = msg.oneofs.length;
    msg.oneofs.push({ name, pos: f.pos, options: [], synthetic: true, fields: [f] });
  }
}

function isLabel(lx: Lexer): Label | undefined {
  if (lx.kind !== T_IDENT) return undefined;
  if (lx.isWord('optional')) return 'optional';
  if (lx.isWord('repeated')) return 'repeated';
  if (lx.isWord('required')) return 'required';
  return undefined;
}

/** A field, map field or group; `oneofIndex` set inside a oneof, `ext` inside an extend block. */
function parseField(
  st: ParseState,
  nested: MessageNode[],
  oneofIndex: number | undefined,
  ext: { extendee: string; extendeePos: Pos } | undefined,
): FieldNode {
  const lx = st.lx;
  const startPos = here(lx);
  let label = isLabel(lx);
  let labelPos: Pos | undefined;
  if (label) {
    labelPos = startPos;
    if (oneofIndex !== undefined) lx.fail(`fields in oneofs must not have labels (required / optional / repeated)`);
    if (label === 'required' && st.syntax === 'proto3') lx.fail('required fields are not allowed in proto3');
    if (st.syntax === 'editions' && label !== 'repeated') {
      lx.fail(`label "${label}" is not allowed in editions; use "features.field_presence" instead`);
    }
    lx.next();
  }
  const typePos = here(lx);
  let typeName: string;
  let scalar = false;
  let group = false;
  let mapTypes: { key: string; keyPos: Pos; value: string; valuePos: Pos } | undefined;
  if (lx.isWord('map') && peekIsLt(lx)) {
    if (label) lx.failAt(labelPos!.line, labelPos!.col, 'map fields cannot have labels (required / optional / repeated)');
    if (oneofIndex !== undefined) lx.fail('map fields are not allowed in oneofs');
    if (ext) lx.fail('map fields are not allowed to be extensions');
    lx.next();
    lx.next(); // '<'
    const keyPos = here(lx);
    const key = parseDottedName(lx, 'map key type', true);
    expectSym(lx, CH_COMMA, 'between map key and value types');
    const valuePos = here(lx);
    const value = parseDottedName(lx, 'map value type', true);
    expectSym(lx, CH_GT, 'to close "map<"');
    mapTypes = { key, keyPos, value, valuePos };
    typeName = '';
    label = 'repeated';
  } else if (lx.isWord('group')) {
    if (st.syntax === 'proto3') lx.fail('groups are not supported in proto3; use a nested message');
    if (st.syntax === 'editions') lx.fail('groups are not supported in editions; use "features.message_encoding = DELIMITED"');
    group = true;
    lx.next();
    typeName = '';
  } else {
    if (lx.kind !== T_IDENT && !lx.isSym(46)) lx.fail(`expected field type, found ${lx.describe()}`);
    typeName = parseDottedName(lx, 'field type', true);
    scalar = SCALAR_TYPES.has(typeName);
  }
  if (!label && st.syntax === 'proto2' && oneofIndex === undefined) {
    lx.failAt(startPos.line, startPos.col, 'expected "required", "optional" or "repeated" (proto2 fields need a label)');
  }
  const pos = here(lx);
  const name = expectIdent(lx, 'field name');
  if (group) {
    const c = name.charCodeAt(0);
    if (!(c >= 65 && c <= 90)) lx.failAt(pos.line, pos.col, `group names must start with a capital letter ("${name}")`);
    typeName = name;
  }
  expectSym(lx, CH_EQ, `after field name "${name}"`);
  const numberPos = here(lx);
  const number = expectInt(lx, `field number for "${name}"`, false);
  const field: FieldNode = {
    name: group ? name.toLowerCase() : name,
    pos, number, numberPos, label, labelPos, typeName, typePos, scalar, group,
    mapEntry: undefined, groupBody: undefined, options: [], defaultValue: undefined, defaultPos: undefined,
    jsonName: undefined, jsonNamePos: undefined,
    proto3Optional: st.syntax === 'proto3' && label === 'optional',
    oneofIndex, extendee: ext?.extendee, extendeePos: ext?.extendeePos,
  };
  if (lx.isSym(CH_LBRACKET)) {
    parseBracketOptions(lx, (l, optPos) => fieldPseudoOption(st, l, field, optPos, ext !== undefined), field.options);
  }
  if (mapTypes) {
    const entry = newMessage(mapEntryName(name), pos);
    entry.mapEntry = true;
    entry.fields.push(
      entryField('key', 1, mapTypes.key, mapTypes.keyPos, pos),
      entryField('value', 2, mapTypes.value, mapTypes.valuePos, pos),
    );
    nested.push(entry);
    field.mapEntry = entry;
    field.typeName = entry.name;
  }
  if (group) {
    const body = newMessage(name, pos);
    nested.push(body);
    field.groupBody = body;
    expectSym(lx, CH_LBRACE, `after group "${name}"`);
    parseMessageBody(st, body);
  } else {
    expectSym(lx, CH_SEMI, `after field "${name}"`);
  }
  return field;
}

function peekIsLt(lx: Lexer): boolean {
  const m = lx.mark();
  lx.next();
  const yes = lx.isSym(CH_LT);
  lx.reset(m);
  return yes;
}

function entryField(name: string, number: number, typeName: string, typePos: Pos, pos: Pos): FieldNode {
  return {
    name, pos, number, numberPos: pos, label: 'optional', labelPos: undefined, typeName, typePos,
    scalar: SCALAR_TYPES.has(typeName), group: false, mapEntry: undefined, groupBody: undefined, options: [],
    defaultValue: undefined, defaultPos: undefined, jsonName: undefined, jsonNamePos: undefined,
    proto3Optional: false, oneofIndex: undefined, extendee: undefined, extendeePos: undefined,
  };
}

/** Handles `default = …` and `json_name = …`, which protoc stores on the field, not in its options. */
function fieldPseudoOption(st: ParseState, lx: Lexer, field: FieldNode, pos: Pos, isExtension: boolean): boolean {
  if (lx.isWord('default')) {
    const m = lx.mark();
    lx.next();
    if (!lx.isSym(CH_EQ)) {
      lx.reset(m);
      return false;
    }
    if (field.defaultValue !== undefined) lx.failAt(pos.line, pos.col, 'option "default" is already set');
    lx.next();
    if (st.syntax === 'proto3') lx.failAt(pos.line, pos.col, 'explicit default values are not allowed in proto3');
    if (field.label === 'repeated') lx.failAt(pos.line, pos.col, 'repeated fields cannot have default values');
    if (field.group) lx.failAt(pos.line, pos.col, 'messages cannot have default values');
    field.defaultPos = here(lx);
    field.defaultValue = parseDefault(lx, field.typeName, field.scalar);
    return true;
  }
  if (lx.isWord('json_name')) {
    const m = lx.mark();
    lx.next();
    if (!lx.isSym(CH_EQ)) {
      lx.reset(m);
      return false;
    }
    if (isExtension) lx.failAt(pos.line, pos.col, 'option "json_name" is not allowed on extension fields');
    if (field.jsonName !== undefined) lx.failAt(pos.line, pos.col, 'option "json_name" is already set');
    lx.next();
    field.jsonNamePos = here(lx);
    if (lx.kind !== T_STRING) lx.fail(`expected string for json_name, found ${lx.describe()}`);
    field.jsonName = bytesToUtf8(parseStringBytes(lx));
    return true;
  }
  return false;
}

const INT_LIMITS: Record<string, bigint> = {
  int32: 2147483647n, sint32: 2147483647n, sfixed32: 2147483647n,
  int64: 9223372036854775807n, sint64: 9223372036854775807n, sfixed64: 9223372036854775807n,
  uint32: 4294967295n, fixed32: 4294967295n, uint64: 18446744073709551615n, fixed64: 18446744073709551615n,
};

/** Parses a default value and renders it the way protoc stores it in `default_value`. */
function parseDefault(lx: Lexer, type: string, scalar: boolean): string {
  const pos = here(lx);
  if (!scalar) {
    // Enum (or, mistakenly, message) type: resolution checks the identifier.
    if (lx.kind !== T_IDENT) lx.fail(`expected enum value name for default of type "${type}", found ${lx.describe()}`);
    const id = lx.text();
    lx.next();
    return id;
  }
  switch (type) {
    case 'double':
    case 'float': {
      let neg = false;
      if (lx.isSym(CH_MINUS)) {
        neg = true;
        lx.next();
      }
      let v: number;
      if (lx.kind === T_FLOAT) v = lx.floatValue();
      else if (lx.kind === T_INT) {
        const i = lx.intValue();
        v = Number(i);
      } else if (lx.isWord('inf')) v = Infinity;
      else if (lx.isWord('nan')) v = NaN;
      else lx.fail(`expected number for default of ${type} field, found ${lx.describe()}`);
      lx.next();
      return (neg ? '-' : '') + (type === 'float' ? simpleFtoa(v) : simpleDtoa(v));
    }
    case 'bool':
      if (lx.isWord('true') || lx.isWord('false')) {
        const t = lx.text();
        lx.next();
        return t;
      }
      lx.fail(`expected "true" or "false" for default of bool field, found ${lx.describe()}`);
    case 'string':
      if (lx.kind !== T_STRING) lx.fail(`expected string for default of string field, found ${lx.describe()}`);
      return bytesToUtf8(parseStringBytes(lx));
    case 'bytes':
      if (lx.kind !== T_STRING) lx.fail(`expected string for default of bytes field, found ${lx.describe()}`);
      return cEscape(parseStringBytes(lx));
    default: {
      let neg = false;
      if (lx.isSym(CH_MINUS)) {
        if (type.startsWith('u') || type.startsWith('fixed')) lx.fail(`unsigned field "${type}" cannot have a negative default value`);
        neg = true;
        lx.next();
      }
      if (lx.kind !== T_INT) lx.fail(`expected integer for default of ${type} field, found ${lx.describe()}`);
      const v = BigInt(lx.intValue());
      if (v > INT_LIMITS[type]! + (neg ? 1n : 0n)) lx.failAt(pos.line, pos.col, `default value is out of range for ${type}`);
      lx.next();
      return (neg && v !== 0n ? '-' : '') + v.toString();
    }
  }
}

