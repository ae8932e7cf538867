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

/** What a field's `go.tag` says about its JSON key. */
export interface GoTagJson {
  /**
   * The name part of `json:"name,opts"` (the text before the first comma), or undefined when
   * there is no json tag or the name is empty (the IDL name is kept).
   */
  readonly name: string | undefined;
  /**
   * True for exactly `json:"-"`, which Go's encoding/json skips. `json:"-,"` (and
   * `json:"-,omitempty"`) name the key "-" and are false.
   */
  readonly ignored: boolean;
}

const NO_GO_TAG: GoTagJson = Object.freeze({ name: undefined, ignored: false });

/**
 * The JSON key a `go.tag` annotation gives a field, read as Go's
 * `reflect.StructTag.Get("json")`: the text before the first comma of the
 * value; an empty name keeps the IDL name. The last `go.tag` wins.
 */
export function goTagJson(annotations: readonly AnnotationNode[]): GoTagJson {
  let tag: string | undefined;
  for (const a of annotations) if (a.key === 'go.tag') tag = a.value;
  if (tag === undefined) return NO_GO_TAG;
  const value = structTagValue(tag, 'json');
  if (value === undefined) return NO_GO_TAG;
  const comma = value.indexOf(',');
  const name = comma < 0 ? value : value.slice(0, comma);
  return { name: name === '' ? undefined : name, ignored: value === '-' };
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
