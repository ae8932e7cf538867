import { IdlError } from '../../errors/idl-error.js';
import type { AnnotationNode } from './ast.js';
import type { ThriftStreamingMode } from './descriptor.js';

const MODES: ReadonlySet<string> = new Set(['bidirectional', 'client', 'server', 'unary']);

/**
 * Kitex's `(streaming.mode = "...")` on a function; no annotation is `none`
 * (Thrift ping-pong). An unknown mode is an error rather than a silent
 * ping-pong, since the call would then use the wrong transport.
 */
export function streamingModeOf(annotations: readonly AnnotationNode[], file: string, fn: string): ThriftStreamingMode {
  let mode: ThriftStreamingMode = 'none';
  for (const a of annotations) {
    if (a.key !== 'streaming.mode') continue;
    if (!MODES.has(a.value)) {
      throw new IdlError(
        { file, line: a.pos.line, column: a.pos.column },
        `unknown streaming.mode "${a.value}" on function ${fn} (expected bidirectional, client, server or unary)`,
      );
    }
    mode = a.value as ThriftStreamingMode;
  }
  return mode;
}

/**
 * The JSON key a `go.tag` annotation gives a field, as Go's encoding/json
 * reads `json:"alias,omitempty"`: the text before the first comma. `'-'`
 * means the field is skipped in JSON; an empty alias keeps the IDL name
 * (`undefined`).
 */
export function goTagJsonName(annotations: readonly AnnotationNode[]): string | undefined {
  let tag: string | undefined;
  for (const a of annotations) if (a.key === 'go.tag') tag = a.value;
  if (tag === undefined) return undefined;
  const value = structTagValue(tag, 'json');
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  const alias = comma < 0 ? value : value.slice(0, comma);
  return alias === '' ? undefined : alias;
}

/** `reflect.StructTag.Get`: finds `key:"value"` among space-separated pairs. */
function structTagValue(tag: string, key: string): string | undefined {
  let i = 0;
  const n = tag.length;
  while (i < n) {
    while (i < n && tag.charCodeAt(i) === 32) i++;
    const nameStart = i;
    while (i < n && tag.charCodeAt(i) > 32 && tag.charCodeAt(i) !== 58 && tag.charCodeAt(i) !== 34) i++;
    if (i === nameStart || i + 1 >= n || tag.charCodeAt(i) !== 58 || tag.charCodeAt(i + 1) !== 34) return undefined;
    const name = tag.slice(nameStart, i);
    i += 2;
    let value = '';
    for (; i < n && tag.charCodeAt(i) !== 34; i++) {
      if (tag.charCodeAt(i) === 92 && i + 1 < n) i++;
      value += tag[i];
    }
    if (i >= n) return undefined;
    i++;
    if (name === key) return value;
  }
  return undefined;
}
