/**
 * `ood.bin`, the detector a model version carries: a little-endian `u32` header length, the header as JSON
 * (method, thresholds, shapes), then the arrays (float32, the kNN bank int8 per row), each 4-byte aligned.
 */
import { InvalidBundleError } from '../training/errors.js';
import { dequantizeRows, quantizeRows } from './quantize.js';
import { OOD_METHODS, type OodMethod, type OodStats } from './types.js';

interface Header {
  formatVersion: 1;
  method: OodMethod;
  thresholds: Record<OodMethod, number>;
  keep: number;
  temperature: number;
  k: number;
  residualVariance: number;
  classes: number;
  dims: number;
  components: number;
  bankRows: number;
}

/**
 * Serialises fitted OOD statistics to the bytes of `ood.bin`.
 *
 * @example
 * ```ts
 * const bytes = encodeOod(fitOod(input)); // ≤ OOD_BUDGET_BYTES
 * ```
 */
export function encodeOod(stats: OodStats): Uint8Array {
  const { mahalanobis: m, knn } = stats;
  const header: Header = {
    formatVersion: 1,
    method: stats.method,
    thresholds: stats.thresholds,
    keep: stats.keep,
    temperature: stats.temperature,
    k: knn.k,
    residualVariance: m.residualVariance,
    classes: m.means.rows,
    dims: m.means.cols,
    components: m.basis.rows,
    bankRows: knn.bank.rows,
  };
  const bank = quantizeRows(knn.bank);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const parts: Uint8Array[] = [
    bytesOf(m.means.data),
    bytesOf(m.basis.data),
    bytesOf(m.variances),
    bytesOf(bank.scales),
    new Uint8Array(bank.values.buffer, bank.values.byteOffset, bank.values.byteLength),
  ];
  const start = align(4 + json.byteLength);
  const out = new Uint8Array(start + parts.reduce((n, p) => n + align(p.byteLength), 0));
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 4);
  let at = start;
  for (const part of parts) {
    out.set(part, at);
    at += align(part.byteLength);
  }
  return out;
}

/**
 * Reads `ood.bin` back.
 *
 * @example
 * ```ts
 * const stats = decodeOod(await registry.readFile('digits', 3, 'ood.bin'));
 * ```
 */
export function decodeOod(bytes: Uint8Array): OodStats {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const length = view.getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as Header;
    if (header.formatVersion !== 1 || !OOD_METHODS.includes(header.method))
      throw new Error(`unsupported ood.bin (format ${header.formatVersion}, method ${header.method})`);
    const { classes, dims, components, bankRows } = header;
    let at = align(4 + length);
    const take = (count: number): Float32Array => {
      const copy = bytes.slice(at, at + count * 4);
      if (copy.byteLength !== count * 4) throw new Error('ood.bin is truncated');
      at += align(count * 4);
      return new Float32Array(copy.buffer);
    };
    const means = take(classes * dims);
    const basis = take(components * dims);
    const variances = take(components);
    const scales = take(bankRows);
    const values = new Int8Array(bytes.slice(at, at + bankRows * dims).buffer);
    if (values.length !== bankRows * dims) throw new Error('ood.bin is truncated');
    return {
      method: header.method,
      thresholds: header.thresholds,
      keep: header.keep,
      temperature: header.temperature,
      mahalanobis: {
        means: { rows: classes, cols: dims, data: means },
        basis: { rows: components, cols: dims, data: basis },
        variances,
        residualVariance: header.residualVariance,
      },
      knn: { bank: { rows: bankRows, cols: dims, data: dequantizeRows(values, scales, dims) }, k: header.k },
    };
  } catch (err) {
    throw new InvalidBundleError(`ood.bin cannot be read: ${err instanceof Error ? err.message : err}`);
  }
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function align(n: number): number {
  return Math.ceil(n / 4) * 4;
}
