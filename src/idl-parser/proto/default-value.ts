/**
 * Text forms protoc writes into `FieldDescriptorProto.default_value`, so our
 * descriptors compare equal to protoc's: doubles via C's `%.15g` (falling back
 * to `%.17g` when that does not round-trip), bytes C-escaped with octal.
 */

/** protoc's `SimpleDtoa`: shortest of `%.15g` / `%.17g` that round-trips. */
export function simpleDtoa(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return 'nan';
  const short = formatG(value, 15);
  return Number(short) === value ? short : formatG(value, 17);
}

/** protoc's `SimpleFtoa` (float fields): the value rounded to float32, `%.6g` or else `%.9g`. */
export function simpleFtoa(value: number): string {
  if (!Number.isFinite(value)) return simpleDtoa(value);
  const f = Math.fround(value);
  const short = formatG(f, 6);
  return Math.fround(Number(short)) === f ? short : formatG(f, 9);
}

/** C's `printf("%.<precision>g")`. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exp = value.toExponential(precision - 1);
  const ePos = exp.indexOf('e');
  const x = Number(exp.slice(ePos + 1));
  if (x < -4 || x >= precision) {
    const mantissa = stripZeros(exp.slice(0, ePos));
    const ax = Math.abs(x);
    return `${mantissa}e${x < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  return stripZeros(value.toFixed(precision - 1 - x));
}

function stripZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** protoc's `CEscape` over a byte string (char codes 0–255). */
export function cEscape(bytes: string): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    switch (c) {
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      case 34: out += '\\"'; break;
      case 39: out += "\\'"; break;
      case 92: out += '\\\\'; break;
      default:
        if (c < 0x20 || c >= 0x7f) out += '\\' + c.toString(8).padStart(3, '0');
        else out += bytes[i];
    }
  }
  return out;
}
