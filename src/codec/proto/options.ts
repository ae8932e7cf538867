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
  /**
   * Unknown fields pass through. Output: the wire bytes of fields the descriptor does not
   * know (tag and value, in wire order) come out as a last member `"$unknown":"<base64>"`
   * of each message object (not of well-known types with a special JSON form). Input: a
   * `$unknown` member (base64, or null) is checked to be well-formed wire data and its bytes
   * are written after the message's known fields. Off: unknown fields are skipped on output
   * and `$unknown` is an unknown key on input.
   */
  keepUnknownFields?: boolean;
}

/** Options with every choice made, for the transcoders. */
export interface ResolvedOptions {
  readonly int64AsString: boolean;
  readonly enumNames: boolean;
  readonly protoNames: boolean;
  readonly emitDefaults: boolean;
  readonly ignoreUnknown: boolean;
  /** Unknown fields pass through as `$unknown` (base64 wire bytes). */
  readonly keepUnknown: boolean;
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
    keepUnknown: o.keepUnknownFields === true,
    kitex,
  };
}
