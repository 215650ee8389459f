import { gunzipSync } from 'node:zlib';
import { InvalidDatasetError } from './errors.js';

/** A parsed IDX file (the MNIST file format): dimensions and unsigned-byte data in row-major order. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = {
  8: 'unsigned byte',
  9: 'signed byte',
  11: 'short',
  12: 'int',
  13: 'float',
  14: 'double',
};

/**
 * True when the bytes start with the gzip magic number (`1f 8b`).
 *
 * @example
 * ```ts
 * isGzip(readFileSync('train-labels-idx1-ubyte.gz')); // true
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an IDX file (gzip-compressed or not). Checks the magic number (two zero bytes, the data type,
 * the number of dimensions), that the type is unsigned byte (the only one MNIST-style data sets use),
 * and that the payload length equals the product of the dimensions. Throws `InvalidDatasetError` with
 * the file name otherwise.
 *
 * @example
 * ```ts
 * const { dims, data } = parseIdx(readFileSync('t10k-images-idx3-ubyte.gz'), 't10k-images');
 * // dims = [10000, 28, 28], data.length = 7_840_000
 * ```
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX file'): IdxArray {
  // A plain Uint8Array view (not a Buffer, whose slice() does not copy).
  let raw = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isGzip(bytes)) {
    try {
      raw = new Uint8Array(gunzipSync(bytes));
    } catch (error) {
      throw new InvalidDatasetError(`${source}: corrupt gzip data (${(error as Error).message})`, {
        cause: error,
      });
    }
  }
  if (raw.length < 4)
    throw new InvalidDatasetError(`${source}: ${raw.length} bytes is too short for an IDX header`);
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new InvalidDatasetError(
      `${source}: bad IDX magic number (first two bytes must be 0, not an IDX file)`,
    );
  }
  const type = raw[2]!;
  const rank = raw[3]!;
  if (type !== UBYTE) {
    const name = TYPE_NAMES[type];
    throw new InvalidDatasetError(
      `${source}: IDX data type 0x${type.toString(16).padStart(2, '0')} (${name ?? 'unknown'}) is not supported, expected unsigned byte (0x08)`,
    );
  }
  if (rank === 0) throw new InvalidDatasetError(`${source}: IDX file has no dimensions`);
  const headerLength = 4 + 4 * rank;
  if (raw.length < headerLength) {
    throw new InvalidDatasetError(
      `${source}: truncated IDX header (${rank} dimensions need ${headerLength} bytes)`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const dim = view.getUint32(4 + 4 * i);
    dims.push(dim);
    count *= dim;
  }
  const payload = raw.length - headerLength;
  if (payload !== count) {
    throw new InvalidDatasetError(
      `${source}: IDX dimensions [${dims.join(', ')}] need ${count} data bytes, file has ${payload}` +
        (payload < count ? ' (truncated)' : ' (trailing bytes)'),
    );
  }
  return { dims, data: raw.subarray(headerLength) };
}
