import { IdlError } from '../../errors/idl-error.js';

/** Token kinds produced by {@link Lexer}. Plain numbers keep the hot loop monomorphic. */
export const T_EOF = 0;
export const T_IDENT = 1;
export const T_INT = 2;
export const T_FLOAT = 3;
export const T_STRING = 4;
export const T_SYMBOL = 5;

/** A saved lexer position, for the few places the grammar needs to look one token ahead. */
export interface LexerMark {
  readonly pos: number;
  readonly line: number;
  readonly lineStart: number;
}

const CH_NL = 10;
const CH_SLASH = 47;
const CH_STAR = 42;
const CH_DOT = 46;
const CH_0 = 48;
const CH_7 = 55;
const CH_9 = 57;
const CH_BACKSLASH = 92;
const CH_DQUOTE = 34;
const CH_SQUOTE = 39;

// Character classes in one table so each character costs one array load.
const C_SPACE = 1;
const C_IDSTART = 2;
const C_DIGIT = 4;
const C_HEX = 8;
const CLASS = new Uint8Array(128);
for (const c of [9, 10, 11, 12, 13, 32]) CLASS[c] = C_SPACE;
for (let c = 65; c <= 90; c++) CLASS[c] = C_IDSTART;
for (let c = 97; c <= 122; c++) CLASS[c] = C_IDSTART;
CLASS[95] = C_IDSTART;
for (let c = CH_0; c <= CH_9; c++) CLASS[c] = C_DIGIT | C_HEX;
for (let c = 65; c <= 70; c++) CLASS[c] |= C_HEX;
for (let c = 97; c <= 102; c++) CLASS[c] |= C_HEX;

function hexVal(c: number): number {
  if (c <= CH_9) return c - CH_0;
  return (c | 0x20) - 87;
}

/**
 * A single-pass, pull-style tokenizer over `.proto` text. The current token is
 * described by mutable fields (no token objects); text is sliced only when the
 * parser asks for it.
 */
export class Lexer {
  readonly src: string;
  readonly file: string;
  /** Current token kind (`T_*`). */
  kind = T_EOF;
  /** Current token's start and end offsets in `src`. */
  start = 0;
  end = 0;
  /** 1-based line and column of the current token. */
  line = 1;
  col = 1;
  /** For `T_SYMBOL`: the character code. */
  sym = 0;
  /** For `T_STRING`: whether the literal contains escapes (decoding needed). */
  private escaped = false;
  private pos = 0;
  private curLine = 1;
  private lineStart = 0;

  constructor(src: string, file: string) {
    this.src = src;
    this.file = file;
    if (src.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1; // editors' UTF-8 byte order mark
    this.next();
  }

  /** Raises an IdlError at the current token. */
  fail(reason: string): never {
    throw new IdlError({ file: this.file, line: this.line, column: this.col }, reason);
  }

  /** Raises an IdlError at an explicit position. */
  failAt(line: number, col: number, reason: string): never {
    throw new IdlError({ file: this.file, line, column: col }, reason);
  }

  /** Position of the upcoming token, to restore with {@link reset}. */
  mark(): LexerMark {
    return { pos: this.start, line: this.line, lineStart: this.start - (this.col - 1) };
  }

  reset(m: LexerMark): void {
    this.pos = m.pos;
    this.curLine = m.line;
    this.lineStart = m.lineStart;
    this.next();
  }

  /** The current token's source text. */
  text(): string {
    return this.src.slice(this.start, this.end);
  }

  /** True when the current token is the given punctuation character. */
  isSym(c: number): boolean {
    return this.kind === T_SYMBOL && this.sym === c;
  }

  /** True when the current token is the identifier `word` (compared in place, no slicing). */
  isWord(word: string): boolean {
    if (this.kind !== T_IDENT || this.end - this.start !== word.length) return false;
    return this.src.startsWith(word, this.start);
  }

  /** A short description of the current token for error messages. */
  describe(): string {
    if (this.kind === T_EOF) return 'end of file';
    if (this.kind === T_STRING) return 'string';
    return `"${this.text()}"`;
  }

  /** Advances to the next token. */
  next(): void {
    const src = this.src;
    const len = src.length;
    let pos = this.pos;
    // Skip whitespace and comments.
    for (;;) {
      if (pos >= len) break;
      const c = src.charCodeAt(pos);
      if (c < 128 && CLASS[c] === C_SPACE) {
        pos++;
        if (c === CH_NL) {
          this.curLine++;
          this.lineStart = pos;
        }
        continue;
      }
      if (c === CH_SLASH) {
        const d = src.charCodeAt(pos + 1);
        if (d === CH_SLASH) {
          const nl = src.indexOf('\n', pos + 2);
          pos = nl < 0 ? len : nl;
          continue;
        }
        if (d === CH_STAR) {
          const startLine = this.curLine;
          const startCol = pos - this.lineStart + 1;
          const close = src.indexOf('*/', pos + 2);
          if (close < 0) this.failAt(startLine, startCol, 'unterminated block comment ("/*" without "*/")');
          for (let i = src.indexOf('\n', pos + 2); i >= 0 && i < close; i = src.indexOf('\n', i + 1)) {
            this.curLine++;
            this.lineStart = i + 1;
          }
          pos = close + 2;
          continue;
        }
      }
      break;
    }
    this.start = pos;
    this.line = this.curLine;
    this.col = pos - this.lineStart + 1;
    if (pos >= len) {
      this.kind = T_EOF;
      this.end = this.pos = pos;
      return;
    }
    const c = src.charCodeAt(pos);
    const cls = c < 128 ? CLASS[c]! : 0;
    if (cls & C_IDSTART) {
      pos++;
      while (pos < len) {
        const d = src.charCodeAt(pos);
        if (d >= 128 || (CLASS[d]! & (C_IDSTART | C_DIGIT)) === 0) break;
        pos++;
      }
      this.kind = T_IDENT;
    } else if (cls & C_DIGIT || (c === CH_DOT && pos + 1 < len && (CLASS[src.charCodeAt(pos + 1)]! & C_DIGIT) !== 0)) {
      pos = this.lexNumber(pos);
    } else if (c === CH_DQUOTE || c === CH_SQUOTE) {
      pos = this.lexString(pos, c);
      this.kind = T_STRING;
    } else {
      if (c < 32 || c >= 127) this.fail(`invalid character ${c < 32 || c === 127 ? `\\x${c.toString(16).padStart(2, '0')}` : `"${String.fromCodePoint(src.codePointAt(pos)!)}"`}`);
      pos++;
      this.kind = T_SYMBOL;
      this.sym = c;
    }
    this.end = this.pos = pos;
  }

  private lexNumber(pos: number): number {
    const src = this.src;
    const len = src.length;
    const first = src.charCodeAt(pos);
    let isFloat = false;
    if (first === CH_0 && (src.charCodeAt(pos + 1) | 0x20) === 120 /* x */) {
      pos += 2;
      const digits = pos;
      while (pos < len && src.charCodeAt(pos) < 128 && CLASS[src.charCodeAt(pos)]! & C_HEX) pos++;
      if (pos === digits) this.fail('"0x" must be followed by hex digits');
    } else {
      while (pos < len && src.charCodeAt(pos) >= CH_0 && src.charCodeAt(pos) <= CH_9) pos++;
      if (src.charCodeAt(pos) === CH_DOT) {
        isFloat = true;
        pos++;
        while (pos < len && src.charCodeAt(pos) >= CH_0 && src.charCodeAt(pos) <= CH_9) pos++;
      }
      const e = src.charCodeAt(pos) | 0x20;
      if (e === 101 /* e */) {
        isFloat = true;
        pos++;
        const s = src.charCodeAt(pos);
        if (s === 43 || s === 45) pos++;
        const digits = pos;
        while (pos < len && src.charCodeAt(pos) >= CH_0 && src.charCodeAt(pos) <= CH_9) pos++;
        if (pos === digits) this.fail('"e" must be followed by exponent digits');
      }
      if (!isFloat && first === CH_0 && pos - this.start > 1) {
        for (let i = this.start + 1; i < pos; i++) {
          if (src.charCodeAt(i) > CH_7) this.fail('numbers starting with a leading zero must be in octal');
        }
      }
    }
    if (pos < len) {
      const d = src.charCodeAt(pos);
      if (d < 128 && CLASS[d]! & (C_IDSTART | C_DIGIT)) {
        this.fail('need space between number and identifier');
      }
    }
    this.kind = isFloat ? T_FLOAT : T_INT;
    return pos;
  }

  private lexString(pos: number, quote: number): number {
    const src = this.src;
    const len = src.length;
    let escaped = false;
    pos++;
    for (;;) {
      if (pos >= len) this.fail('unterminated string literal');
      const c = src.charCodeAt(pos);
      if (c === quote) break;
      if (c === CH_NL) this.fail('string literals cannot cross line boundaries');
      if (c === CH_BACKSLASH) {
        escaped = true;
        pos++;
      } else if (c >= 128) {
        escaped = true; // non-ASCII needs UTF-8 aware decoding for byte views
      }
      pos++;
    }
    this.escaped = escaped;
    return pos + 1;
  }

  /**
   * The current integer token's value: a number when it is a safe integer,
   * a bigint beyond 2^53.
   */
  intValue(): number | bigint {
    const src = this.src;
    let s = this.start;
    const e = this.end;
    let base = 10;
    if (src.charCodeAt(s) === CH_0 && e - s > 1) {
      if ((src.charCodeAt(s + 1) | 0x20) === 120) {
        base = 16;
        s += 2;
      } else {
        base = 8;
        s += 1;
      }
    }
    if (e - s <= 12) {
      let v = 0;
      for (let i = s; i < e; i++) v = v * base + hexVal(src.charCodeAt(i));
      return v;
    }
    let v = 0n;
    const b = BigInt(base);
    for (let i = s; i < e; i++) v = v * b + BigInt(hexVal(src.charCodeAt(i)));
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** The current float token's value. */
  floatValue(): number {
    return Number(this.text());
  }

  /**
   * The current string token decoded as protoc does, as a "byte string": each
   * char code is one byte (0–255). Use {@link bytesToUtf8} for text.
   */
  stringBytes(): string {
    const src = this.src;
    const s = this.start + 1;
    const e = this.end - 1;
    if (!this.escaped) return src.slice(s, e);
    let out = '';
    let i = s;
    while (i < e) {
      const c = src.charCodeAt(i);
      if (c !== CH_BACKSLASH) {
        if (c < 128) {
          out += src[i];
          i++;
        } else {
          const cp = src.codePointAt(i)!;
          out += utf8Bytes(cp);
          i += cp > 0xffff ? 2 : 1;
        }
        continue;
      }
      const col = this.col + (i - this.start);
      i++;
      const d = src.charCodeAt(i);
      switch (d) {
        case 97: out += '\x07'; i++; break; // \a
        case 98: out += '\b'; i++; break;
        case 102: out += '\f'; i++; break;
        case 110: out += '\n'; i++; break;
        case 114: out += '\r'; i++; break;
        case 116: out += '\t'; i++; break;
        case 118: out += '\v'; i++; break;
        case CH_BACKSLASH: case 63: case CH_SQUOTE: case CH_DQUOTE:
          out += src[i]; i++; break;
        case 120: case 88: { // \xHH (one or two digits)
          i++;
          let v = 0;
          let n = 0;
          while (n < 2 && i < e && src.charCodeAt(i) < 128 && CLASS[src.charCodeAt(i)]! & C_HEX) {
            v = v * 16 + hexVal(src.charCodeAt(i));
            i++;
            n++;
          }
          if (n === 0) this.failAt(this.line, col, 'expected hex digits after "\\x"');
          out += String.fromCharCode(v);
          break;
        }
        case 117: case 85: { // \uXXXX, \UXXXXXXXX
          const want = d === 117 ? 4 : 8;
          i++;
          let v = 0;
          for (let n = 0; n < want; n++, i++) {
            const h = src.charCodeAt(i);
            if (i >= e || h >= 128 || (CLASS[h]! & C_HEX) === 0) {
              this.failAt(this.line, col, `expected ${want} hex digits after "\\${src[i - n - 1]}"`);
            }
            v = v * 16 + hexVal(h);
          }
          if (v > 0x10ffff) this.failAt(this.line, col, 'unicode escape is beyond U+10FFFF');
          out += utf8Bytes(v);
          break;
        }
        default:
          if (d >= CH_0 && d <= CH_7) {
            let v = 0;
            let n = 0;
            while (n < 3 && i < e && src.charCodeAt(i) >= CH_0 && src.charCodeAt(i) <= CH_7) {
              v = v * 8 + src.charCodeAt(i) - CH_0;
              i++;
              n++;
            }
            out += String.fromCharCode(v & 0xff);
          } else {
            this.failAt(this.line, col, `invalid escape sequence "\\${src[i] ?? ''}"`);
          }
      }
    }
    return out;
  }
}

function utf8Bytes(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  if (cp < 0x10000) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  return String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/**
 * An option's string literal: its text, or its bytes when they are not UTF-8 (a `bytes`
 * option may hold any).
 */
export function textOrBytes(bytes: string): string | { readonly bytes: Uint8Array } {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes.charCodeAt(i) >= 128) {
      const raw = Buffer.from(bytes, 'latin1');
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(raw);
      } catch {
        return { bytes: new Uint8Array(raw) };
      }
    }
  }
  return bytes;
}

/** Decodes a byte string (char codes 0–255) as UTF-8 text; ASCII passes through untouched. */
export function bytesToUtf8(bytes: string): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes.charCodeAt(i) >= 128) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes;
  return new TextDecoder().decode(Buffer.from(bytes, 'latin1'));
}
