import type { ProtoOptionValue } from './descriptor.js';
import type { OptionNamePart, OptionNode, Pos } from './ast.js';
import { Lexer, T_FLOAT, T_IDENT, T_INT, T_STRING, T_SYMBOL, textOrBytes } from './lexer.js';

const CH_LPAREN = 40;
const CH_RPAREN = 41;
const CH_DOT = 46;
const CH_MINUS = 45;
const CH_PLUS = 43;
const CH_LBRACE = 123;
const CH_RBRACE = 125;
const CH_LT = 60;
const CH_GT = 62;
const CH_LBRACKET = 91;
const CH_RBRACKET = 93;
const CH_COLON = 58;
const CH_COMMA = 44;
const CH_SEMI = 59;
const CH_SLASH = 47;

/** Reads a dotted identifier (`a.b.c`), optionally with a leading dot. */
export function parseDottedName(lx: Lexer, what: string, allowLeadingDot: boolean): string {
  let name = '';
  if (allowLeadingDot && lx.isSym(CH_DOT)) {
    name = '.';
    lx.next();
  }
  if (lx.kind !== T_IDENT) lx.fail(`expected ${what}, found ${lx.describe()}`);
  name += lx.text();
  lx.next();
  while (lx.isSym(CH_DOT)) {
    lx.next();
    if (lx.kind !== T_IDENT) lx.fail(`expected identifier after ".", found ${lx.describe()}`);
    name += '.' + lx.text();
    lx.next();
  }
  return name;
}

/** Reads one or more adjacent string literals, concatenated, as a byte string. */
export function parseStringBytes(lx: Lexer): string {
  let s = lx.stringBytes();
  lx.next();
  while (lx.kind === T_STRING) {
    s += lx.stringBytes();
    lx.next();
  }
  return s;
}

/** Reads an option name: `foo`, `foo.bar`, `(my.ext)`, `(.my.ext).path.x`. */
export function parseOptionName(lx: Lexer): { name: string; parts: OptionNamePart[] } {
  const parts: OptionNamePart[] = [];
  let name = '';
  for (;;) {
    const pos = { line: lx.line, col: lx.col };
    if (lx.isSym(CH_LPAREN)) {
      lx.next();
      const ext = parseDottedName(lx, 'extension name', true);
      if (!lx.isSym(CH_RPAREN)) lx.fail(`expected ")" to close the extension name, found ${lx.describe()}`);
      lx.next();
      parts.push({ name: ext, extension: true, pos });
      name += `(${ext})`;
    } else {
      if (lx.kind !== T_IDENT) lx.fail(`expected option name, found ${lx.describe()}`);
      const id = lx.text();
      lx.next();
      parts.push({ name: id, extension: false, pos });
      name += id;
    }
    if (!lx.isSym(CH_DOT)) break;
    name += '.';
    lx.next();
  }
  return { name, parts };
}

/** Reads `name = value` (after `option` or inside `[...]`). */
export function parseOptionAssignment(lx: Lexer): OptionNode {
  const pos = { line: lx.line, col: lx.col };
  const { name, parts } = parseOptionName(lx);
  if (!lx.isSym(61)) lx.fail(`expected "=" after option name "${name}", found ${lx.describe()}`);
  lx.next();
  const valuePos = { line: lx.line, col: lx.col };
  const value = parseOptionValue(lx);
  return { name, parts, value, pos, valuePos };
}

/** A constant as accepted after `option x =`: scalars, identifiers or an aggregate. */
export function parseOptionValue(lx: Lexer): ProtoOptionValue {
  if (lx.isSym(CH_LBRACE)) {
    lx.next();
    return parseAggregateBody(lx, CH_RBRACE);
  }
  if (lx.isSym(CH_MINUS)) {
    // protoc accepts "-inf" only inside aggregates (text format), not as a plain option value.
    const m = lx.mark();
    lx.next();
    if (lx.kind === T_IDENT) lx.fail(`invalid "-" before identifier "${lx.text()}"`);
    lx.reset(m);
  }
  return parseScalarValue(lx, 'option value');
}

function parseScalarValue(lx: Lexer, what: string): ProtoOptionValue {
  let negative = false;
  if (lx.isSym(CH_MINUS)) {
    negative = true;
    lx.next();
  } else if (lx.isSym(CH_PLUS)) {
    lx.next();
  }
  switch (lx.kind) {
    case T_INT: {
      const v = lx.intValue();
      lx.next();
      if (!negative) return v;
      return typeof v === 'bigint' ? -v : v === 0 ? 0 : -v;
    }
    case T_FLOAT: {
      const v = lx.floatValue();
      lx.next();
      return negative ? -v : v;
    }
    case T_STRING:
      if (negative) lx.fail(`expected number after "-", found string`);
      return textOrBytes(parseStringBytes(lx));
    case T_IDENT: {
      const id = lx.text();
      lx.next();
      if (!negative) {
        if (id === 'true') return true;
        if (id === 'false') return false;
      } else if (id !== 'inf' && id !== 'nan' && id !== 'infinity') {
        lx.fail(`expected number after "-", found "${id}"`);
      }
      return { identifier: negative ? '-' + id : id };
    }
    default:
      lx.fail(`expected ${what}, found ${lx.describe()}`);
  }
}

/**
 * Text-format message body (the `{ … }` of an aggregate option), up to the
 * closing delimiter. Repeated keys collect into arrays.
 */
function parseAggregateBody(lx: Lexer, close: number): { [key: string]: ProtoOptionValue | ProtoOptionValue[] } {
  const out: { [key: string]: ProtoOptionValue | ProtoOptionValue[] } = {};
  for (;;) {
    if (lx.isSym(close)) {
      lx.next();
      return out;
    }
    let key: string;
    if (lx.isSym(CH_LBRACKET)) {
      lx.next();
      key = parseDottedName(lx, 'extension or type URL', false);
      if (lx.isSym(CH_SLASH)) {
        lx.next();
        key += '/' + parseDottedName(lx, 'type name', false);
      }
      if (!lx.isSym(CH_RBRACKET)) lx.fail(`expected "]", found ${lx.describe()}`);
      lx.next();
      key = `[${key}]`;
    } else if (lx.kind === T_IDENT) {
      key = lx.text();
      lx.next();
    } else {
      lx.fail(`expected field name in aggregate value, found ${lx.describe()}`);
    }
    let value: ProtoOptionValue | ProtoOptionValue[];
    const colon = lx.isSym(CH_COLON);
    if (colon) lx.next();
    if (lx.isSym(CH_LBRACE) || lx.isSym(CH_LT)) {
      const c = lx.sym === CH_LBRACE ? CH_RBRACE : CH_GT;
      lx.next();
      value = parseAggregateBody(lx, c);
    } else if (lx.isSym(CH_LBRACKET)) {
      if (!colon) lx.fail(`expected ":" after "${key}", found "["`);
      lx.next();
      const list: ProtoOptionValue[] = [];
      while (!lx.isSym(CH_RBRACKET)) {
        if (lx.isSym(CH_LBRACE) || lx.isSym(CH_LT)) {
          const c = lx.sym === CH_LBRACE ? CH_RBRACE : CH_GT;
          lx.next();
          list.push(parseAggregateBody(lx, c));
        } else {
          list.push(parseScalarValue(lx, 'value'));
        }
        if (lx.isSym(CH_COMMA)) lx.next();
        else if (!lx.isSym(CH_RBRACKET)) lx.fail(`expected "," or "]" in list, found ${lx.describe()}`);
      }
      lx.next();
      value = list;
    } else {
      if (!colon) lx.fail(`expected ":" after "${key}", found ${lx.describe()}`);
      value = parseScalarValue(lx, `value for "${key}"`);
    }
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(...(Array.isArray(value) ? value : [value]));
    else out[key] = [prev, ...(Array.isArray(value) ? value : [value])];
    if (lx.isSym(CH_COMMA) || lx.isSym(CH_SEMI)) lx.next();
    if (lx.kind !== T_SYMBOL && lx.kind !== T_IDENT) {
      lx.fail(`expected field name or "${String.fromCharCode(close)}" in aggregate value, found ${lx.describe()}`);
    }
  }
}

/** Reads `[ opt = v, … ]` after `[` has been seen; calls `each` per entry so pseudo-options can be intercepted. */
export function parseBracketOptions(lx: Lexer, each: (lx: Lexer, pos: Pos) => boolean, out: OptionNode[]): void {
  lx.next(); // '['
  for (;;) {
    const pos = { line: lx.line, col: lx.col };
    if (!each(lx, pos)) out.push(parseOptionAssignment(lx));
    if (lx.isSym(CH_COMMA)) {
      lx.next();
      continue;
    }
    if (lx.isSym(CH_RBRACKET)) {
      lx.next();
      return;
    }
    lx.fail(`expected "," or "]" after option, found ${lx.describe()}`);
  }
}
