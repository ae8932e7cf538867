const HEX = '0123456789abcdef';

/**
 * Writes a string as a JSON string literal. Escapes `"`, `\`, control
 * characters and lone surrogates (as `\udXXX`, like well-formed
 * `JSON.stringify`), so the output is always valid UTF-16 JSON text.
 */
export function quoteJsonString(s: string): string {
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return quoteSlow(s, i);
  }
  return '"' + s + '"';
}

function quoteSlow(s: string, from: number): string {
  let out = '"' + s.slice(0, from);
  let run = from;
  const len = s.length;
  for (let i = from; i < len; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c === 34) esc = '\\"';
    else if (c === 92) esc = '\\\\';
    else if (c < 0x20) {
      switch (c) {
        case 8:
          esc = '\\b';
          break;
        case 9:
          esc = '\\t';
          break;
        case 10:
          esc = '\\n';
          break;
        case 12:
          esc = '\\f';
          break;
        case 13:
          esc = '\\r';
          break;
        default:
          esc = '\\u00' + HEX[c >> 4] + HEX[c & 15];
      }
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a valid pair stays as is
        continue;
      }
      esc = '\\u' + c.toString(16);
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      esc = '\\u' + c.toString(16);
    }
    if (esc !== undefined) {
      out += s.slice(run, i) + esc;
      run = i + 1;
    }
  }
  return out + s.slice(run) + '"';
}

/**
 * Formats a double the way JSON output needs it. Non-finite values have no
 * JSON literal: the caller decides (protobuf writes `"NaN"`, Thrift refuses).
 */
export function formatJsonDouble(v: number): string {
  // String(-0) is "0"; keep the sign like protobuf-es and Go's encoders do.
  if (v === 0 && 1 / v < 0) return '-0';
  return String(v);
}
