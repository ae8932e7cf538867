import type { OptionNode, Pos } from './ast.js';
import { Lexer, T_IDENT, T_INT } from './lexer.js';
import { parseOptionAssignment } from './parse-options.js';

/** State shared by the statement parsers of one file. */
export interface ParseState {
  readonly lx: Lexer;
  readonly syntax: 'proto2' | 'proto3' | 'editions';
}

/** Character codes of the punctuation the grammar uses. */
export const CH_SEMI = 59;
export const CH_EQ = 61;
export const CH_LBRACE = 123;
export const CH_RBRACE = 125;
export const CH_LBRACKET = 91;
export const CH_RBRACKET = 93;
export const CH_LPAREN = 40;
export const CH_RPAREN = 41;
export const CH_LT = 60;
export const CH_GT = 62;
export const CH_COMMA = 44;
export const CH_MINUS = 45;
export const CH_DOT = 46;

/** Position of the current token. */
export function here(lx: Lexer): Pos {
  return { line: lx.line, col: lx.col };
}

/** Consumes the punctuation `c` or fails with `expected "c" <context>`. */
export function expectSym(lx: Lexer, c: number, context: string): void {
  if (!lx.isSym(c)) lx.fail(`expected "${String.fromCharCode(c)}"${context ? ' ' + context : ''}, found ${lx.describe()}`);
  lx.next();
}

/** Consumes an identifier and returns it. */
export function expectIdent(lx: Lexer, what: string): string {
  if (lx.kind !== T_IDENT) lx.fail(`expected ${what}, found ${lx.describe()}`);
  const s = lx.text();
  lx.next();
  return s;
}

/** Consumes an integer literal with an optional minus sign, as a number (bigints beyond ±2^53 are clamped to ±Infinity for range checks). */
export function expectInt(lx: Lexer, what: string, allowNegative: boolean): number {
  let neg = false;
  if (allowNegative && lx.isSym(CH_MINUS)) {
    neg = true;
    lx.next();
  }
  if (lx.kind !== T_INT) lx.fail(`expected ${what}, found ${lx.describe()}`);
  const v = lx.intValue();
  lx.next();
  const n = typeof v === 'bigint' ? Infinity : v;
  return neg ? -n : n;
}

/** `option name = value;` statement (the `option` keyword is current). */
export function parseOptionStatement(lx: Lexer, out: OptionNode[]): void {
  lx.next();
  out.push(parseOptionAssignment(lx));
  expectSym(lx, CH_SEMI, 'after option');
}

/** Skips an empty statement `;`; returns true if one was skipped. */
export function skipEmpty(lx: Lexer): boolean {
  if (lx.isSym(CH_SEMI)) {
    lx.next();
    return true;
  }
  return false;
}
