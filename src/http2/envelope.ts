/** Flag bit 0 of the 5-byte gRPC message prefix: the payload is compressed. */
export const FLAG_COMPRESSED = 0x01;

/** Size of the gRPC length prefix: 1 flag byte + 4-byte big-endian length. */
export const PREFIX_SIZE = 5;

/**
 * Messages up to this size are copied behind their prefix into one buffer (a single
 * write); bigger ones are written as prefix + the caller's bytes, uncopied.
 */
export const COPY_THRESHOLD = 16 * 1024;

/** Encodes a 5-byte gRPC message prefix. */
export function encodePrefix(flags: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(PREFIX_SIZE);
  b[0] = flags;
  b.writeUInt32BE(length, 1);
  return b;
}

/**
 * Frames one message: prefix + payload in one freshly allocated buffer. Used for small
 * messages, where one copy is cheaper than a second write.
 */
export function encodeEnvelope(flags: number, payload: Uint8Array): Buffer {
  const n = payload.length;
  const b = Buffer.allocUnsafe(PREFIX_SIZE + n);
  b[0] = flags;
  b[1] = n >>> 24;
  b[2] = (n >>> 16) & 0xff;
  b[3] = (n >>> 8) & 0xff;
  b[4] = n & 0xff;
  b.set(payload, PREFIX_SIZE);
  return b;
}
