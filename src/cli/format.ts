/**
 * Text helpers for the CLI: JSON re-indentation that never parses numbers
 * (64-bit values stay exact), durations, metadata and error lines.
 */
import { codeName, type Metadata, type RpcError } from '../index.js';
import { CliUsageError } from './exit-codes.js';

/**
 * Re-indents compact JSON text by walking its characters; strings are
 * copied verbatim. Going through JSON.parse would round i64 numbers.
 */
export function prettyJson(text: string, indent = '  '): string {
  let out = '';
  let depth = 0;
  let i = 0;
  const n = text.length;
  const newline = (): string => '\n' + indent.repeat(depth);
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      // Keep empty containers on one line.
      let k = i + 1;
      while (k < n && /\s/.test(text[k]!)) k++;
      if (text[k] === (c === '{' ? '}' : ']')) {
        out += c + text[k];
        i = k + 1;
        continue;
      }
      depth++;
      out += c + newline();
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') {
      out += ',' + newline();
    } else if (c === ':') {
      out += ': ';
    } else if (!/\s/.test(c)) {
      out += c;
    }
    i++;
  }
  return out;
}

/** Parses `2s`, `250ms`, `1.5m`, `1h` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliUsageError(`${flag} must be a duration like 500ms, 2s or 1m, not "${text}"`);
  const scale = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 1000;
  const ms = Number(m[1]) * scale;
  if (!(ms > 0)) throw new CliUsageError(`${flag} must be greater than zero`);
  return ms;
}

/** Metadata as `name: value` lines (one per value), sorted for stable output. */
export function metadataLines(md: Metadata): string[] {
  const lines: string[] = [];
  for (const key of Object.keys(md).sort()) {
    const v = md[key]!;
    for (const one of Array.isArray(v) ? v : [v]) lines.push(`${key}: ${one}`);
  }
  return lines;
}

/** grpcurl-style description of an RPC error, one line. */
export function rpcErrorLine(err: RpcError): string {
  return `ERROR: code = ${codeName(err.code)} (${err.code}), message = ${err.rawMessage}`;
}

/**
 * The error behind an RPC error (a refused connection, a TLS verification
 * failure…), on one line, or undefined when there is none worth showing.
 */
export function causeLine(err: Error): string | undefined {
  const cause = err.cause;
  if (cause === undefined || cause === null) return undefined;
  if (!(cause instanceof Error)) return `cause: ${String(cause)}`;
  const code = (cause as NodeJS.ErrnoException).code;
  const message = cause.message.split('\n')[0]!.trim();
  return `cause: ${code && !message.includes(code) ? `${code}: ` : ''}${message}`;
}

/**
 * grpcurl's `-format-error`: the status as one JSON document, as
 * `google.rpc.Status` maps to JSON (details as `@type` plus base64 `value`).
 */
export function statusJson(err: RpcError): string {
  return JSON.stringify({
    code: err.code,
    message: err.rawMessage,
    details: err.details.map((d) => ({ '@type': d.typeUrl, value: Buffer.from(d.value).toString('base64') })),
  });
}

/** Parses `-H 'key: value'` into a metadata record (repeated keys collect values). */
export function parseHeaders(lines: readonly string[]): Record<string, string | string[]> {
  const md: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new CliUsageError(`-H "${line}": write a header as 'name: value'`);
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = md[key];
    md[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return md;
}

/** A number with thousands separators and fixed decimals, for the text summary. */
export function num(n: number, decimals = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Milliseconds with a sensible number of decimals. */
export function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(1)} ms` : value >= 1 ? `${value.toFixed(2)} ms` : `${value.toFixed(3)} ms`;
}
