import { CodecError } from '../../errors/codec-error.js';

/** What the next JSON value is, judged by its first character. */
export const JsonKind = {
  Object: 0,
  Array: 1,
  String: 2,
  Number: 3,
  True: 4,
  False: 5,
  Null: 6,
  End: 7,
} as const;
/** One of the `JsonKind` values. */
export type JsonKind = (typeof JsonKind)[keyof typeof JsonKind];

const CH_TAB = 9;
const CH_LF = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_QUOTE = 34;
const CH_PLUS = 43;
const CH_COMMA = 44;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_0 = 48;
const CH_9 = 57;
const CH_COLON = 58;
const CH_LBRACKET = 91;
const CH_BACKSLASH = 92;
const CH_RBRACKET = 93;
const CH_E_UPPER = 69;
const CH_E_LOWER = 101;
const CH_LBRACE = 123;
const CH_RBRACE = 125;

/** 10^0 … 10^22: the powers of ten a double holds exactly. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * A pull scanner over JSON text, for transcoders that walk a schema and the
 * text together: values are read as the schema asks for them, so no object
 * model is built and numbers are available as their exact source text (64-bit
 * integers are never rounded through a double).
 *
 * Objects: `beginObject()`, then `firstKey()` / `nextKey()` until `undefined`.
 * Arrays: `beginArray()`, then `firstItem()` / `nextItem()` until false.
 * Errors are `CodecError`s with an empty path and the text offset; callers
 * add the field path as the error unwinds.
 */
export class JsonScanner {
  text = '';
  pos = 0;
  /** Start and end offsets of the last number read with `readNumberSpan()`. */
  spanStart = 0;
  spanEnd = 0;
  /** The value of the last number read with `readNumberSpan()`, as the nearest double. */
  numberValue = 0;

  /** Starts scanning a new document (the scanner is reusable). */
  reset(text: string): this {
    this.text = text;
    this.pos = 0;
    return this;
  }

  /** Skips white space and tells what comes next. */
  peek(): JsonKind {
    const c = this.skipSpace();
    switch (c) {
      case CH_LBRACE:
        return JsonKind.Object;
      case CH_LBRACKET:
        return JsonKind.Array;
      case CH_QUOTE:
        return JsonKind.String;
      case 116: // t
        return JsonKind.True;
      case 102: // f
        return JsonKind.False;
      case 110: // n
        return JsonKind.Null;
      case -1:
        return JsonKind.End;
      default:
        if (c === CH_MINUS || (c >= CH_0 && c <= CH_9)) return JsonKind.Number;
        throw this.error(`unexpected character ${describeChar(c)}`);
    }
  }

  /** Consumes `null` if it comes next; tells whether it did. */
  readNullIf(): boolean {
    if (this.skipSpace() !== 110) return false;
    this.expectWord('null');
    return true;
  }

  /** Consumes `{`. */
  beginObject(): void {
    if (this.skipSpace() !== CH_LBRACE) throw this.error(`expected an object, found ${this.describeNext()}`);
    this.pos++;
  }

  /** Reads the first key of an object (after `beginObject`), or consumes `}` and returns undefined. */
  firstKey(): string | undefined {
    const c = this.skipSpace();
    if (c === CH_RBRACE) {
      this.pos++;
      return undefined;
    }
    return this.readKey(c);
  }

  /** Reads the next key after a value, or consumes `}` and returns undefined. */
  nextKey(): string | undefined {
    const c = this.skipSpace();
    if (c === CH_RBRACE) {
      this.pos++;
      return undefined;
    }
    if (c !== CH_COMMA) throw this.error(`expected ',' or '}', found ${this.describeNext()}`);
    this.pos++;
    return this.readKey(this.skipSpace());
  }

  /**
   * After `{` has been consumed: true if a key follows, false (having consumed
   * `}`) for an empty object. With `key()`/`keyIs()` and `objectNext()`, an
   * allocation-free alternative to `firstKey`/`nextKey` for schema-driven readers.
   */
  objectFirst(): boolean {
    if (this.skipSpace() === CH_RBRACE) {
      this.pos++;
      return false;
    }
    return true;
  }

  /** After a member's value: true (having consumed `,`) if another key follows, false at `}` (consumed). */
  objectNext(): boolean {
    const c = this.skipSpace();
    if (c === CH_COMMA) {
      this.pos++;
      return true;
    }
    if (c === CH_RBRACE) {
      this.pos++;
      return false;
    }
    throw this.error(`expected ',' or '}', found ${this.describeNext()}`);
  }

  /** After a member's value: whether `}` comes next (consumes white space only). */
  atObjectEnd(): boolean {
    return this.skipSpace() === CH_RBRACE;
  }

  /** Reads a key and its `:` (after `objectFirst`/`objectNext`). */
  key(): string {
    return this.readKey(this.skipSpace());
  }

  /**
   * If the next key is exactly `quoted` (a key with its quotes, written without
   * escapes), consumes it and its `:` and returns true; otherwise consumes
   * nothing but white space. Lets a reader try the key it expects without
   * slicing the text.
   */
  keyIs(quoted: Uint16Array): boolean {
    if (!this.textIs(quoted)) return false;
    let p = this.pos + quoted.length;
    const text = this.text;
    let c = text.charCodeAt(p);
    while (c === CH_SPACE || c === CH_LF || c === CH_CR || c === CH_TAB) c = text.charCodeAt(++p);
    if (c !== CH_COLON) return false;
    this.pos = p + 1;
    return true;
  }

  /**
   * Reads a key without escapes as a span of the text (`spanStart`/`spanEnd`,
   * quotes excluded) and its `:`. Returns false, consuming only white space,
   * for a key with escapes (read it with `key()`).
   */
  keySpan(): boolean {
    if (this.skipSpace() !== CH_QUOTE) throw this.error(`expected a quoted object key, found ${this.describeNext()}`);
    if (!this.readStringSpan()) return false;
    if (this.skipSpace() !== CH_COLON) throw this.error(`expected ':' after key "${this.text.slice(this.spanStart, this.spanEnd)}"`);
    this.pos++;
    return true;
  }

  /** Consumes `[`. */
  beginArray(): void {
    if (this.skipSpace() !== CH_LBRACKET) throw this.error(`expected an array, found ${this.describeNext()}`);
    this.pos++;
  }

  /** After `beginArray`: true if an item follows, false (having consumed `]`) if the array is empty. */
  firstItem(): boolean {
    if (this.skipSpace() === CH_RBRACKET) {
      this.pos++;
      return false;
    }
    return true;
  }

  /** After an item: true if another follows (consumes `,`), false at `]` (consumed). */
  nextItem(): boolean {
    const c = this.skipSpace();
    if (c === CH_RBRACKET) {
      this.pos++;
      return false;
    }
    if (c !== CH_COMMA) throw this.error(`expected ',' or ']', found ${this.describeNext()}`);
    this.pos++;
    return true;
  }

  /** Reads a string value, decoding escapes. */
  readString(): string {
    if (this.skipSpace() !== CH_QUOTE) throw this.error(`expected a string, found ${this.describeNext()}`);
    return this.readQuoted();
  }

  /**
   * Reads a string value that has no escapes as a span of the source:
   * `spanStart`/`spanEnd` delimit its contents (quotes excluded). Returns false,
   * consuming nothing, when the string contains escapes (use `readString()`).
   */
  readStringSpan(): boolean {
    if (this.skipSpace() !== CH_QUOTE) throw this.error(`expected a string, found ${this.describeNext()}`);
    const text = this.text;
    const len = text.length;
    const start = this.pos + 1;
    let p = start;
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c === CH_QUOTE) {
        this.spanStart = start;
        this.spanEnd = p;
        this.pos = p + 1;
        return true;
      }
      if (c === CH_BACKSLASH) return false;
      if (c < 0x20) throw this.errorAt(p, 'control character in string (must be escaped)');
      p++;
    }
    throw this.errorAt(this.pos, 'unterminated string');
  }

  /**
   * If the next value is exactly `literal` (such as a quoted enum name the
   * reader expects), consumes it and returns true; otherwise consumes only
   * white space.
   */
  valueIs(literal: Uint16Array): boolean {
    if (!this.textIs(literal)) return false;
    this.pos += literal.length;
    return true;
  }

  /** Skips white space; whether `units` come next (compared unit by unit: cheaper than startsWith for short keys). */
  private textIs(units: Uint16Array): boolean {
    if (this.skipSpace() !== units[0]) return false;
    const text = this.text;
    const p = this.pos;
    const n = units.length;
    if (p + n > text.length) return false;
    for (let i = 1; i < n; i++) if (text.charCodeAt(p + i) !== units[i]) return false;
    return true;
  }

  /** Reads `true` or `false`. */
  readBoolean(): boolean {
    const c = this.skipSpace();
    if (c === 116) {
      this.expectWord('true');
      return true;
    }
    if (c === 102) {
      this.expectWord('false');
      return false;
    }
    throw this.error(`expected true or false, found ${this.describeNext()}`);
  }

  /**
   * Reads a JSON number and records its text span in `spanStart`/`spanEnd`
   * (for exact 64-bit parsing). Returns true if it is an integer literal
   * (no fraction or exponent).
   */
  readNumberSpan(): boolean {
    const text = this.text;
    const len = text.length;
    let p = this.pos;
    const start = p;
    let c = p < len ? text.charCodeAt(p) : -1;
    const neg = c === CH_MINUS;
    if (neg) c = ++p < len ? text.charCodeAt(p) : -1;
    // The digits are accumulated as they are checked (one pass): `m` is exact while `digits` ≤ 15.
    let m = 0;
    let digits = 0;
    if (c === CH_0) {
      c = ++p < len ? text.charCodeAt(p) : -1;
      if (c >= CH_0 && c <= CH_9) throw this.errorAt(p, 'leading zeros are not allowed in JSON numbers');
    } else if (c >= CH_0 + 1 && c <= CH_9) {
      do {
        m = m * 10 + (c - CH_0);
        digits++;
        c = ++p < len ? text.charCodeAt(p) : -1;
      } while (c >= CH_0 && c <= CH_9);
    } else {
      throw this.errorAt(start, `expected a number, found ${describeChar(this.charAt(start))}`);
    }
    let integer = true;
    let scale = 0;
    if (c === CH_DOT) {
      integer = false;
      c = ++p < len ? text.charCodeAt(p) : -1;
      if (!(c >= CH_0 && c <= CH_9)) throw this.errorAt(p, 'expected a digit after the decimal point');
      do {
        m = m * 10 + (c - CH_0);
        digits++;
        scale--;
        c = ++p < len ? text.charCodeAt(p) : -1;
      } while (c >= CH_0 && c <= CH_9);
    }
    if (c === CH_E_LOWER || c === CH_E_UPPER) {
      integer = false;
      c = ++p < len ? text.charCodeAt(p) : -1;
      const expNeg = c === CH_MINUS;
      if (c === CH_PLUS || c === CH_MINUS) c = ++p < len ? text.charCodeAt(p) : -1;
      if (!(c >= CH_0 && c <= CH_9)) throw this.errorAt(p, 'expected a digit in the exponent');
      let e = 0;
      do {
        if (e < 100000) e = e * 10 + (c - CH_0);
        c = ++p < len ? text.charCodeAt(p) : -1;
      } while (c >= CH_0 && c <= CH_9);
      scale += expNeg ? -e : e;
    }
    this.spanStart = start;
    this.spanEnd = p;
    this.pos = p;
    // An exact mantissa times or over an exact power of ten rounds once: the
    // correctly rounded double (Clinger's fast path). Anything else: the engine.
    let v: number;
    if (digits <= 15 && scale >= -22 && scale <= 22) v = scale === 0 ? m : scale > 0 ? m * POW10[scale]! : m / POW10[-scale]!;
    else v = +text.slice(neg ? start + 1 : start, p);
    this.numberValue = neg ? -v : v;
    return integer;
  }

  /** Reads a number as a double. */
  readNumber(): number {
    if (this.skipSpace() === -1) throw this.error('expected a number, found end of input');
    this.readNumberSpan();
    return this.numberValue;
  }

  /** The source text of the last number read with `readNumberSpan()`. */
  spanText(): string {
    return this.text.slice(this.spanStart, this.spanEnd);
  }

  /** Skips one value of any kind (for unknown fields), checking its syntax. */
  skipValue(depth = 0): void {
    if (depth > 1000) throw this.error('JSON nested too deeply');
    switch (this.peek()) {
      case JsonKind.Object:
        this.pos++;
        for (let k = this.firstKey(); k !== undefined; k = this.nextKey()) this.skipValue(depth + 1);
        return;
      case JsonKind.Array:
        this.pos++;
        if (this.firstItem()) do this.skipValue(depth + 1); while (this.nextItem());
        return;
      case JsonKind.String:
        this.skipQuoted();
        return;
      case JsonKind.Number:
        this.readNumberSpan();
        return;
      case JsonKind.True:
        this.expectWord('true');
        return;
      case JsonKind.False:
        this.expectWord('false');
        return;
      case JsonKind.Null:
        this.expectWord('null');
        return;
      case JsonKind.End:
        throw this.error('unexpected end of JSON input');
    }
  }

  /** Checks that only white space remains. */
  expectEnd(): void {
    if (this.skipSpace() !== -1) throw this.error(`unexpected ${this.describeNext()} after the JSON value`);
  }

  /** Builds a syntax error at the current position. */
  error(reason: string): CodecError {
    return this.errorAt(this.pos, reason);
  }

  /** Builds a syntax error at an offset, naming line and column. */
  errorAt(offset: number, reason: string): CodecError {
    let line = 1;
    let lineStart = 0;
    const text = this.text;
    for (let i = 0; i < offset && i < text.length; i++) {
      if (text.charCodeAt(i) === CH_LF) {
        line++;
        lineStart = i + 1;
      }
    }
    return new CodecError('', `${reason} (JSON line ${line}, column ${offset - lineStart + 1})`, offset);
  }

  /** A readable description of what comes next, for error messages. */
  describeNext(): string {
    const c = this.skipSpace();
    switch (c) {
      case CH_LBRACE:
        return 'an object';
      case CH_LBRACKET:
        return 'an array';
      case CH_QUOTE:
        return 'a string';
      case 116:
      case 102:
        return 'a boolean';
      case 110:
        return 'null';
      default:
        if (c === CH_MINUS || (c >= CH_0 && c <= CH_9)) return 'a number';
        return describeChar(c);
    }
  }

  private charAt(p: number): number {
    return p < this.text.length ? this.text.charCodeAt(p) : -1;
  }

  /** Skips white space; returns the next character code (not consumed) or -1 at the end. */
  private skipSpace(): number {
    const text = this.text;
    const len = text.length;
    let p = this.pos;
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c === CH_SPACE || c === CH_LF || c === CH_CR || c === CH_TAB) {
        p++;
        continue;
      }
      this.pos = p;
      return c;
    }
    this.pos = p;
    return -1;
  }

  private readKey(c: number): string {
    if (c !== CH_QUOTE) throw this.error(`expected a quoted object key, found ${this.describeNext()}`);
    const key = this.readQuoted();
    if (this.skipSpace() !== CH_COLON) throw this.error(`expected ':' after key "${key}"`);
    this.pos++;
    return key;
  }

  private expectWord(word: string): void {
    if (!this.text.startsWith(word, this.pos)) throw this.error(`expected ${word}`);
    this.pos += word.length;
  }

  /** Reads a quoted string at `pos` (which is on the opening quote). */
  private readQuoted(): string {
    const text = this.text;
    const len = text.length;
    const start = this.pos + 1;
    let p = start;
    // Fast path: no escapes, so the value is a slice of the source.
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c === CH_QUOTE) {
        this.pos = p + 1;
        return text.slice(start, p);
      }
      if (c === CH_BACKSLASH) break;
      if (c < 0x20) throw this.errorAt(p, 'control character in string (must be escaped)');
      p++;
    }
    if (p >= len) throw this.errorAt(this.pos, 'unterminated string');
    return this.readEscaped(start, p);
  }

  private readEscaped(start: number, firstEscape: number): string {
    const text = this.text;
    const len = text.length;
    let out = text.slice(start, firstEscape);
    let p = firstEscape;
    let runStart = p;
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c === CH_QUOTE) {
        out += text.slice(runStart, p);
        this.pos = p + 1;
        return out;
      }
      if (c < 0x20) throw this.errorAt(p, 'control character in string (must be escaped)');
      if (c !== CH_BACKSLASH) {
        p++;
        continue;
      }
      out += text.slice(runStart, p);
      const e = p + 1 < len ? text.charCodeAt(p + 1) : -1;
      switch (e) {
        case CH_QUOTE:
          out += '"';
          break;
        case CH_BACKSLASH:
          out += '\\';
          break;
        case 47: // /
          out += '/';
          break;
        case 98: // b
          out += '\b';
          break;
        case 102: // f
          out += '\f';
          break;
        case 110: // n
          out += '\n';
          break;
        case 114: // r
          out += '\r';
          break;
        case 116: // t
          out += '\t';
          break;
        case 117: {
          // \uXXXX; surrogate pairs arrive as two escapes and join naturally in UTF-16.
          const code = parseHex4(text, p + 2);
          if (code < 0) throw this.errorAt(p, 'invalid \\u escape (expected 4 hex digits)');
          out += String.fromCharCode(code);
          p += 6;
          runStart = p;
          continue;
        }
        default:
          throw this.errorAt(p, `invalid escape ${e < 0 ? 'at end of input' : `\\${String.fromCharCode(e)}`}`);
      }
      p += 2;
      runStart = p;
    }
    throw this.errorAt(start - 1, 'unterminated string');
  }

  private skipQuoted(): void {
    const text = this.text;
    const len = text.length;
    let p = this.pos + 1;
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c === CH_QUOTE) {
        this.pos = p + 1;
        return;
      }
      if (c === CH_BACKSLASH) {
        // Validate escapes the slow way; unknown fields with escapes are rare.
        this.readQuoted();
        return;
      }
      if (c < 0x20) throw this.errorAt(p, 'control character in string (must be escaped)');
      p++;
    }
    throw this.errorAt(this.pos, 'unterminated string');
  }
}

function parseHex4(text: string, p: number): number {
  if (p + 4 > text.length) return -1;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const c = text.charCodeAt(p + i);
    let d: number;
    if (c >= CH_0 && c <= CH_9) d = c - CH_0;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

function describeChar(c: number): string {
  if (c < 0) return 'end of input';
  if (c < 0x20 || c > 0x7e) return `character U+${c.toString(16).padStart(4, '0').toUpperCase()}`;
  return `'${String.fromCharCode(c)}'`;
}
