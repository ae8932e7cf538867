import { CodecError } from '../../src/errors/codec-error.js';

/** The CodecError that `fn` throws; fails the test if it throws something else or nothing. */
export function codecError(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
  throw new Error('expected a CodecError');
}
