/** Options of the JSON mapping, per codec (defaults) or per call. */
export interface ProtoJsonOptions {
  /** `canonical` (proto3 JSON, the default) or `kitex` (dynamicgo: 64-bit and enums as numbers). */
  mapping?: 'canonical' | 'kitex';
  /** Output: write fields without presence even at their defaults (`[]`, `{}` for empty repeated/maps). */
  emitDefaults?: boolean;
  /** Output: use the `.proto` field names instead of json names. */
  useProtoNames?: boolean;
  /** Output: enums as numbers (always so in the kitex mapping). */
  enumAsInteger?: boolean;
  /** Input: skip unknown JSON keys (and unknown enum names) instead of failing. */
  ignoreUnknownFields?: boolean;
  /** Output override for 64-bit integers: JSON strings or JSON numbers (exact in the text either way). */
  int64As?: 'string' | 'number';
}

/** Options with every choice made, for the transcoders. */
export interface ResolvedOptions {
  readonly int64AsString: boolean;
  readonly enumNames: boolean;
  readonly protoNames: boolean;
  readonly emitDefaults: boolean;
  readonly ignoreUnknown: boolean;
  /**
   * The kitex mapping, as dynamicgo does it: well-known types are plain
   * messages (Timestamp is `{"seconds":…,"nanos":…}`), and every field present
   * on the wire is written, zero values included.
   */
  readonly kitex: boolean;
}

/** Merges per-call options over codec defaults and applies the mapping's rules. */
export function resolveOptions(defaults: ProtoJsonOptions | undefined, opts: ProtoJsonOptions | undefined): ResolvedOptions {
  const o = opts === undefined ? (defaults ?? {}) : defaults === undefined ? opts : { ...defaults, ...opts };
  const kitex = o.mapping === 'kitex';
  return {
    int64AsString: o.int64As !== undefined ? o.int64As === 'string' : !kitex,
    enumNames: !kitex && o.enumAsInteger !== true,
    protoNames: o.useProtoNames === true,
    emitDefaults: o.emitDefaults === true,
    ignoreUnknown: o.ignoreUnknownFields === true,
    kitex,
  };
}
