import { IdlError } from '../../errors/idl-error.js';

/** Token kinds. Keywords are plain identifiers: the parser compares them in place. */
export const enum Tok {
  Eof = 0,
  Ident = 1,
  Int = 2,
  Double = 3,
  String = 4,
  /** One punctuation character; its code is in `Lexer.punct`. */
  Punct = 5,
}

/**
 * A single-pass pull lexer over `.thrift` text. It keeps only the current
 * token (kind, span, position) so no token array is allocated; substrings are
 * cut only when the parser asks for a token's text.
 */
export class Lexer {
  readonly src: string;
  readonly file: string;
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  kind: Tok = Tok.Eof;
  start = 0;
  end = 0;
  tokLine = 1;
  tokCol = 1;
  punct = 0;
  /** The unescaped value of a string token. */
  str = '';

  constructor(src: string, file: string) {
    this.src = src;
    this.file = file;
    // Editors on Windows may leave a byte order mark; it is not part of the text.
    if (src.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1;
    this.next();
  }

  /** The current token's source text. */
  text(): string {
    return this.src.slice(this.start, this.end);
  }

  /** Whether the current token is the identifier `word` (no allocation). */
  isWord(word: string): boolean {
    return this.kind === Tok.Ident && this.end - this.start === word.length && this.src.startsWith(word, this.start);
  }

  /** Whether the current token is the punctuation character `code`. */
  isPunct(code: number): boolean {
    return this.kind === Tok.Punct && this.punct === code;
  }

  /** An `IdlError` at the current token (or at the given position). */
  error(reason: string, line = this.tokLine, column = this.tokCol): IdlError {
    return new IdlError({ file: this.file, line, column }, reason);
  }

  /** Advances to the next token. */
  next(): void {
    const src = this.src;
    const n = src.length;
    let p = this.pos;
    // Skip whitespace and comments.
    for (;;) {
      if (p >= n) break;
      const c = src.charCodeAt(p);
      if (c === 10) {
        p++;
        this.line++;
        this.lineStart = p;
      } else if (c === 32 || c === 9 || c === 13) {
        p++;
      } else if (c === 35 /* # */ || (c === 47 /* / */ && src.charCodeAt(p + 1) === 47)) {
        while (p < n && src.charCodeAt(p) !== 10) p++;
      } else if (c === 47 && src.charCodeAt(p + 1) === 42 /* * */) {
        const sl = this.line;
        const sc = p - this.lineStart + 1;
        p += 2;
        for (;;) {
          if (p >= n) throw this.error('unterminated comment', sl, sc);
          const d = src.charCodeAt(p);
          if (d === 42 && src.charCodeAt(p + 1) === 47) {
            p += 2;
            break;
          }
          if (d === 10) {
            this.line++;
            this.lineStart = p + 1;
          }
          p++;
        }
      } else {
        break;
      }
    }
    this.start = p;
    this.tokLine = this.line;
    this.tokCol = p - this.lineStart + 1;
    if (p >= n) {
      this.kind = Tok.Eof;
      this.end = this.pos = p;
      return;
    }
    const c = src.charCodeAt(p);
    if (isIdentStart(c)) {
      p++;
      for (;;) {
        const d = src.charCodeAt(p);
        if (isIdentPart(d)) p++;
        else if (d === 46 /* . */ && isIdentPart(src.charCodeAt(p + 1))) p += 2;
        else break;
      }
      this.kind = Tok.Ident;
    } else if (isDigit(c) || ((c === 43 || c === 45 || c === 46) && (isDigit(src.charCodeAt(p + 1)) || (c !== 46 && src.charCodeAt(p + 1) === 46 && isDigit(src.charCodeAt(p + 2)))))) {
      p = this.number(p);
    } else if (c === 34 || c === 39) {
      p = this.string(p, c);
    } else if (isPunctChar(c)) {
      this.kind = Tok.Punct;
      this.punct = c;
      p++;
    } else {
      throw this.error(`unexpected character '${String.fromCodePoint(src.codePointAt(p) ?? c)}'`);
    }
    this.end = this.pos = p;
  }

  private number(p: number): number {
    const src = this.src;
    let q = p;
    const c = src.charCodeAt(q);
    if (c === 43 || c === 45) q++;
    if (src.charCodeAt(q) === 48 && (src.charCodeAt(q + 1) | 32) === 120 /* x */ && isHex(src.charCodeAt(q + 2))) {
      q += 2;
      while (isHex(src.charCodeAt(q))) q++;
      this.kind = Tok.Int;
      return q;
    }
    while (isDigit(src.charCodeAt(q))) q++;
    let dbl = false;
    if (src.charCodeAt(q) === 46 && isDigit(src.charCodeAt(q + 1))) {
      dbl = true;
      q++;
      while (isDigit(src.charCodeAt(q))) q++;
    }
    const e = src.charCodeAt(q) | 32;
    if (e === 101 /* e */) {
      let r = q + 1;
      const s = src.charCodeAt(r);
      if (s === 43 || s === 45) r++;
      if (isDigit(src.charCodeAt(r))) {
        dbl = true;
        q = r;
        while (isDigit(src.charCodeAt(q))) q++;
      }
    }
    this.kind = dbl ? Tok.Double : Tok.Int;
    return q;
  }

  private string(p: number, quote: number): number {
    const src = this.src;
    const n = src.length;
    let q = p + 1;
    let chunkStart = q;
    let out = '';
    for (;;) {
      if (q >= n) throw this.error('unterminated string literal');
      const d = src.charCodeAt(q);
      if (d === quote) break;
      if (d === 10) throw this.error('unterminated string literal (end of line)');
      if (d === 92 /* \ */) {
        const e = src.charCodeAt(q + 1);
        let rep: string;
        switch (e) {
          case 92: rep = '\\'; break;
          case 34: rep = '"'; break;
          case 39: rep = "'"; break;
          case 110: rep = '\n'; break;
          case 114: rep = '\r'; break;
          case 116: rep = '\t'; break;
          default:
            throw this.error(`bad escape character '\\${Number.isNaN(e) ? '' : String.fromCharCode(e)}' in string literal`, this.line, q - this.lineStart + 1);
        }
        out += src.slice(chunkStart, q) + rep;
        q += 2;
        chunkStart = q;
        continue;
      }
      q++;
    }
    this.str = chunkStart === p + 1 ? src.slice(chunkStart, q) : out + src.slice(chunkStart, q);
    this.kind = Tok.String;
    return q + 1;
  }

  /** A short description of the current token for error messages. */
  describe(): string {
    switch (this.kind) {
      case Tok.Eof:
        return 'end of file';
      case Tok.String:
        return `string ${JSON.stringify(this.str)}`;
      default:
        return `'${this.text()}'`;
    }
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}
function isIdentStart(c: number): boolean {
  return ((c | 32) >= 97 && (c | 32) <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isPunctChar(c: number): boolean {
  // { } [ ] ( ) < > , ; : = * &
  return c === 123 || c === 125 || c === 91 || c === 93 || c === 40 || c === 41 || c === 60 || c === 62 ||
    c === 44 || c === 59 || c === 58 || c === 61 || c === 42 || c === 38;
}
