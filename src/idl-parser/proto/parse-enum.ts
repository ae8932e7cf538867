import type { EnumNode, EnumValueNode, OptionNode, RangeNode } from './ast.js';
import { T_IDENT, T_STRING } from './lexer.js';
import { parseBracketOptions, parseStringBytes } from './parse-options.js';
import {
  CH_COMMA, CH_EQ, CH_LBRACE, CH_LBRACKET, CH_RBRACE, CH_SEMI, expectIdent, expectInt, expectSym, here,
  parseOptionStatement, skipEmpty, type ParseState,
} from './parse-util.js';
import { bytesToUtf8 } from './lexer.js';

/** Largest field number (2^29 - 1). */
export const MAX_FIELD_NUMBER = 536870911;
const INT32_MAX = 2147483647;

/** `enum Name { … }` (the `enum` keyword is current). */
export function parseEnum(st: ParseState): EnumNode {
  const lx = st.lx;
  lx.next();
  const pos = here(lx);
  const name = expectIdent(lx, 'enum name');
  const node: EnumNode = { name, pos, values: [], reservedRanges: [], reservedNames: [], options: [] };
  expectSym(lx, CH_LBRACE, `after enum name "${name}"`);
  while (!lx.isSym(CH_RBRACE)) {
    if (skipEmpty(lx)) continue;
    if (lx.isWord('option')) parseOptionStatement(lx, node.options);
    else if (lx.isWord('reserved')) parseReserved(st, node.reservedRanges, node.reservedNames, true);
    else if (lx.kind === T_IDENT) node.values.push(parseEnumValue(st));
    else lx.fail(`expected enum value, "option" or "reserved" in enum "${name}", found ${lx.describe()}`);
  }
  lx.next();
  return node;
}

function parseEnumValue(st: ParseState): EnumValueNode {
  const lx = st.lx;
  const pos = here(lx);
  const name = lx.text();
  lx.next();
  expectSym(lx, CH_EQ, `after enum value name "${name}"`);
  const numberPos = here(lx);
  const number = expectInt(lx, `number for enum value "${name}"`, true);
  if (number > INT32_MAX || number < -INT32_MAX - 1) lx.failAt(numberPos.line, numberPos.col, `enum value ${name} is out of the int32 range`);
  const options: OptionNode[] = [];
  if (lx.isSym(CH_LBRACKET)) parseBracketOptions(lx, () => false, options);
  expectSym(lx, CH_SEMI, `after enum value "${name}"`);
  return { name, pos, number, numberPos, options };
}

/**
 * `reserved 1, 2 to 5, 9 to max;` or `reserved "a", "b";` (bare identifiers in
 * editions). Message ranges are stored end-exclusive with `max` as -1; enum
 * ranges end-inclusive with `max` as INT32_MAX, as descriptor.proto has them.
 */
export function parseReserved(
  st: ParseState,
  ranges: RangeNode[],
  names: Array<{ name: string; pos: { line: number; col: number } }>,
  isEnum: boolean,
): void {
  const lx = st.lx;
  lx.next();
  if (lx.kind === T_STRING || lx.kind === T_IDENT) {
    for (;;) {
      const pos = here(lx);
      if (lx.kind === T_STRING) {
        if (st.syntax === 'editions') lx.fail('reserved names must be identifiers, not strings, in editions');
        names.push({ name: bytesToUtf8(parseStringBytes(lx)), pos });
      } else if (lx.kind === T_IDENT) {
        if (st.syntax !== 'editions') lx.fail(`reserved names must be quoted strings in ${st.syntax} ("${lx.text()}")`);
        names.push({ name: lx.text(), pos });
        lx.next();
      } else lx.fail(`expected reserved name, found ${lx.describe()}`);
      if (!lx.isSym(CH_COMMA)) break;
      lx.next();
    }
  } else {
    parseRanges(st, ranges, isEnum, 'reserved');
  }
  expectSym(lx, CH_SEMI, 'after reserved');
}

/** Comma-separated `N`, `N to M`, `N to max` (after the keyword). */
export function parseRanges(st: ParseState, out: RangeNode[], isEnum: boolean, what: string): void {
  const lx = st.lx;
  for (;;) {
    const pos = here(lx);
    const start = expectInt(lx, `${what} number or range`, isEnum);
    let end = start;
    if (lx.isWord('to')) {
      lx.next();
      if (lx.isWord('max')) {
        lx.next();
        end = isEnum ? INT32_MAX : -1;
      } else {
        end = expectInt(lx, `end of ${what} range`, isEnum);
      }
    }
    if (isEnum && (start < -INT32_MAX - 1 || start > INT32_MAX || end < -INT32_MAX - 1 || end > INT32_MAX)) {
      lx.failAt(pos.line, pos.col, `${what} range is out of the int32 range`);
    }
    out.push({ start, end: isEnum || end === -1 ? end : end + 1, pos });
    if (!lx.isSym(CH_COMMA)) break;
    lx.next();
  }
}
