import { CorruptDataError, InvalidArgumentError } from './errors.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';

/** Element type of a stored feature. */
export type FeatureDType = 'float32' | 'float16';

/** A dense activation tensor, row-major, as plain data (no tfjs dependency). */
export interface FeatureData {
  shape: number[];
  data: Float32Array;
}

/** Magic bytes of the feature format. */
export const FEATURE_MAGIC = 'GRFT';
/** Current format version. */
export const FEATURE_FORMAT_VERSION = 1;
const MAX_RANK = 8;
const DTYPE_CODES: Record<FeatureDType, number> = { float32: 1, float16: 2 };

/**
 * Encodes a feature tensor. Layout (little-endian): `GRFT` | version u8 | dtype u8 (1 float32,
 * 2 float16) | rank u8 | reserved u8 | rank × dim u32 | data. The header is 8 + 4·rank bytes, so
 * float32 data stays 4-byte aligned.
 *
 * @example
 * ```ts
 * const bytes = encodeFeature({ shape: [2], data: new Float32Array([1, 2]) }, 'float16'); // 16 bytes
 * ```
 */
export function encodeFeature(feature: FeatureData, dtype: FeatureDType = 'float32'): Uint8Array {
  const { shape, data } = feature;
  if (!(data instanceof Float32Array)) throw new InvalidArgumentError('feature data must be a Float32Array');
  if (!Array.isArray(shape) || shape.length > MAX_RANK)
    throw new InvalidArgumentError(`feature rank must be 0..${MAX_RANK}`);
  let size = 1;
  for (const dim of shape) {
    if (!Number.isInteger(dim) || dim < 0 || dim > 0xffffffff)
      throw new InvalidArgumentError(`bad dimension ${dim}`);
    size *= dim;
  }
  if (size !== data.length) {
    throw new InvalidArgumentError(
      `shape [${shape.join(', ')}] holds ${size} values, data has ${data.length}`,
    );
  }
  if (!(dtype in DTYPE_CODES)) throw new InvalidArgumentError(`unknown dtype ${dtype}`);
  const header = 8 + 4 * shape.length;
  const elementBytes = dtype === 'float16' ? 2 : 4;
  const out = new Uint8Array(header + size * elementBytes);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(FEATURE_MAGIC), 0);
  view.setUint8(4, FEATURE_FORMAT_VERSION);
  view.setUint8(5, DTYPE_CODES[dtype]);
  view.setUint8(6, shape.length);
  for (let i = 0; i < shape.length; i++) view.setUint32(8 + 4 * i, shape[i]!, true);
  if (dtype === 'float16') {
    const bits = float32ToFloat16(data);
    for (let i = 0; i < bits.length; i++) view.setUint16(header + 2 * i, bits[i]!, true);
  } else {
    for (let i = 0; i < data.length; i++) view.setFloat32(header + 4 * i, data[i]!, true);
  }
  return out;
}

/**
 * Decodes bytes written by {@link encodeFeature}; float16 data is widened to float32.
 * Throws {@link CorruptDataError} for bad magic, unknown version/dtype or a length mismatch.
 *
 * @example
 * ```ts
 * const { shape, data, dtype } = decodeFeature(bytes);
 * ```
 */
export function decodeFeature(bytes: Uint8Array): FeatureData & { dtype: FeatureDType } {
  if (bytes.length < 8) throw new CorruptDataError(`feature blob too short (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== FEATURE_MAGIC)
    throw new CorruptDataError(`not a feature blob (magic ${JSON.stringify(magic)})`);
  const version = view.getUint8(4);
  if (version !== FEATURE_FORMAT_VERSION)
    throw new CorruptDataError(`unsupported feature format version ${version}`);
  const code = view.getUint8(5);
  const dtype = (Object.keys(DTYPE_CODES) as FeatureDType[]).find((k) => DTYPE_CODES[k] === code);
  if (!dtype) throw new CorruptDataError(`unknown feature dtype code ${code}`);
  const rank = view.getUint8(6);
  if (rank > MAX_RANK) throw new CorruptDataError(`feature rank ${rank} too large`);
  const header = 8 + 4 * rank;
  if (bytes.length < header) throw new CorruptDataError('feature header truncated');
  const shape: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const dim = view.getUint32(8 + 4 * i, true);
    shape.push(dim);
    size *= dim;
  }
  const elementBytes = dtype === 'float16' ? 2 : 4;
  if (bytes.length !== header + size * elementBytes) {
    throw new CorruptDataError(
      `feature data is ${bytes.length - header} bytes, shape needs ${size * elementBytes}`,
    );
  }
  let data: Float32Array;
  if (dtype === 'float16') {
    const bits = new Uint16Array(size);
    for (let i = 0; i < size; i++) bits[i] = view.getUint16(header + 2 * i, true);
    data = float16ToFloat32(bits);
  } else {
    data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(header + 4 * i, true);
  }
  return { shape, data, dtype };
}
