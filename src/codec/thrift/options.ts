/** Options of the JSON ⇄ Thrift mapping (Kitex JSONThriftGeneric with dynamicgo defaults). */
export interface ThriftJsonOptions {
  /** Wire protocol; `binary` (strict TBinaryProtocol) by default. */
  protocol?: 'binary' | 'compact';
  /**
   * Use a field's `go.tag` json alias as its JSON key on output (input accepts both). Default
   * true. `json:"-"` is the key "-" (Kitex's dynamicgo), not a skipped field as in Go.
   */
  useGoTagJsonName?: boolean;
  /** Write i64 values as JSON strings on output (input accepts both). Default false. */
  i64AsString?: boolean;
  /** `binary` fields as base64 text (true, default) or as the string of their bytes (false). */
  binaryAsBase64?: boolean;
  /** Refuse JSON keys (and wire field ids) the IDL does not declare. Default false: ignored. */
  rejectUnknownFields?: boolean;
  /**
   * Write missing required and default-requiredness fields with their IDL default or zero
   * value (encode), and inject them for absent fields (decode). Default true: Kitex behaviour.
   */
  writeDefaults?: boolean;
}

/** Option bits, resolved once per call. */
export const F_GO_TAG = 1;
export const F_I64_STRING = 2;
export const F_BASE64 = 4;
export const F_REJECT_UNKNOWN = 8;
export const F_WRITE_DEFAULTS = 16;
/** Number of distinct flag combinations (for per-flags caches). */
export const FLAG_COMBINATIONS = 32;

/** Options resolved to bits plus the protocol. */
export interface ResolvedOptions {
  readonly flags: number;
  readonly compact: boolean;
}

const TABLE: ResolvedOptions[] = [];
for (let i = 0; i < FLAG_COMBINATIONS * 2; i++) TABLE.push(Object.freeze({ flags: i % FLAG_COMBINATIONS, compact: i >= FLAG_COMBINATIONS }));

function pick<K extends keyof ThriftJsonOptions>(defaults: ThriftJsonOptions, opts: ThriftJsonOptions | undefined, k: K): ThriftJsonOptions[K] {
  const v = opts === undefined ? undefined : opts[k];
  return v === undefined ? defaults[k] : v;
}

/** Resolves options over defaults (call-level options win); allocation-free (shared frozen results). */
export function resolveOptions(defaults: ThriftJsonOptions, opts: ThriftJsonOptions | undefined): ResolvedOptions {
  let flags = 0;
  if (pick(defaults, opts, 'useGoTagJsonName') !== false) flags |= F_GO_TAG;
  if (pick(defaults, opts, 'i64AsString') === true) flags |= F_I64_STRING;
  if (pick(defaults, opts, 'binaryAsBase64') !== false) flags |= F_BASE64;
  if (pick(defaults, opts, 'rejectUnknownFields') === true) flags |= F_REJECT_UNKNOWN;
  if (pick(defaults, opts, 'writeDefaults') !== false) flags |= F_WRITE_DEFAULTS;
  const compact = pick(defaults, opts, 'protocol') === 'compact';
  return TABLE[flags + (compact ? FLAG_COMBINATIONS : 0)]!;
}
