import { createRequire } from 'node:module';
import { Code, RpcError } from '../errors/index.js';

type Fflate = typeof import('fflate');
let fflateModule: Fflate | undefined;

/**
 * fflate, loaded on the first compressed message: most processes never compress, and
 * loading it up front cost an idle server about 0.6 MB of peak RSS. `require` keeps the
 * first use synchronous.
 */
function fflate(): Fflate {
  return (fflateModule ??= createRequire(import.meta.url)('fflate') as Fflate);
}

/** Message encodings this engine speaks (`grpc-encoding` values). */
export type Compression = 'identity' | 'gzip' | 'deflate';

/** What we announce in `grpc-accept-encoding`. */
export const ACCEPT_ENCODING = 'identity,deflate,gzip';

/**
 * Compressed input is fed to the inflater in slices of this size: fflate inflates a
 * whole push at once, and DEFLATE expands at most ~1032:1, so one slice can produce at
 * most ~4 MiB before the running size check gets to look at it.
 */
const INFLATE_SLICE = 4096;

/** Compresses one message payload (`deflate` means the zlib format, as gRPC uses it). */
export function compress(encoding: 'gzip' | 'deflate', data: Uint8Array): Uint8Array {
  const f = fflate();
  return encoding === 'gzip' ? f.gzipSync(data, { level: 6 }) : f.zlibSync(data, { level: 6 });
}

/** True when `name` is an encoding we can decompress. */
export function isSupportedEncoding(name: string): name is Compression {
  return name === 'identity' || name === 'gzip' || name === 'deflate';
}

/**
 * Decompresses one message, refusing to produce more than `maxBytes`: a small bomb fails
 * with RESOURCE_EXHAUSTED after at most one slice's worth of output over the limit,
 * never inflating the whole thing.
 */
export function decompress(encoding: string, data: Uint8Array, maxBytes: number): Uint8Array {
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw new RpcError(Code.INTERNAL, `compressed message with unsupported grpc-encoding "${encoding}"`);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const onData = (chunk: Uint8Array): void => {
    if (over) return;
    total += chunk.length;
    if (total > maxBytes) {
      over = true;
      parts.length = 0;
      return;
    }
    if (chunk.length > 0) parts.push(chunk);
  };
  const f = fflate();
  const inflater = encoding === 'gzip' ? new f.Gunzip(onData) : new f.Unzlib(onData);
  try {
    if (data.length === 0) throw new Error('empty compressed message');
    for (let pos = 0; pos < data.length && !over; pos += INFLATE_SLICE) {
      const next = pos + INFLATE_SLICE;
      inflater.push(data.subarray(pos, next), next >= data.length);
    }
  } catch (e) {
    throw new RpcError(Code.INTERNAL, `cannot decompress ${encoding} message: ${(e as Error).message}`, { cause: e });
  }
  if (over) {
    throw new RpcError(Code.RESOURCE_EXHAUSTED, `decompressed message larger than max (${maxBytes})`);
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
