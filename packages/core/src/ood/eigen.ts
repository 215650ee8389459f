/**
 * Eigenvectors of symmetric matrices, in plain typed arrays (no tfjs kernel computes them): cyclic Jacobi for small
 * matrices and subspace iteration (Rayleigh–Ritz) for the leading directions of a large one.
 */
import { tf } from '@graft/runtime';

/**
 * All eigenvalues and eigenvectors of a small symmetric `n × n` matrix (cyclic Jacobi), largest first.
 *
 * @example
 * ```ts
 * const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2); // values [3, 1]
 * // vectors: row i is the eigenvector of values[i]
 * ```
 */
export function symmetricEigen(
  matrix: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Array(n).keys()].sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((col, row) => {
    values[row] = a[col * n + col]!;
    for (let k = 0; k < n; k++) vectors[row * n + k] = v[k * n + col]!;
  });
  return { values, vectors };
}

/** Orthonormalises the rows of `q` (`r × d`) in place (modified Gram–Schmidt). */
function orthonormalizeRows(q: Float64Array, r: number, d: number): void {
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k]! * q[j * d + k]!;
      for (let k = 0; k < d; k++) q[i * d + k]! -= dot * q[j * d + k]!;
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += q[i * d + k]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < d; k++) q[i * d + k]! /= norm;
  }
}

/**
 * The `r` leading eigenvalues and eigenvectors (rows, `r × d`) of a symmetric positive semi-definite `d × d` matrix,
 * by subspace iteration with `r + 8` vectors and a final Rayleigh–Ritz step. Deterministic (seeded start).
 *
 * @example
 * ```ts
 * const { values, vectors } = leadingEigen(covariance, 64, 20); // covariance: tf.Tensor2D [d, d]
 * ```
 */
export function leadingEigen(
  matrix: tf.Tensor2D,
  r: number,
  iterations = 20,
): { values: Float64Array; vectors: Float64Array } {
  const d = matrix.shape[0];
  const m = Math.min(d, r + 8);
  const q = new Float64Array(m * d);
  let seed = 12345;
  for (let i = 0; i < q.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    q[i] = seed / 2147483648 - 0.5;
  }
  orthonormalizeRows(q, m, d);
  const times = (rows: Float64Array): Float64Array => {
    const out = tf.tidy(() => tf.matMul(tf.tensor2d(Float32Array.from(rows), [m, d]), matrix));
    const values = Float64Array.from(out.dataSync());
    out.dispose();
    return values;
  };
  for (let it = 0; it < iterations; it++) {
    const next = times(q);
    q.set(next);
    orthonormalizeRows(q, m, d);
  }
  // Rayleigh–Ritz: T = Q S Qᵀ (m × m), its eigenvectors rotate Q onto the eigenvectors of S.
  const sq = times(q);
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k]! * sq[j * d + k]!;
      t[i * m + j] = dot;
    }
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) t[i * m + j] = t[j * m + i] = (t[i * m + j]! + t[j * m + i]!) / 2;
  const small = symmetricEigen(t, m);
  const keep = Math.min(r, m);
  const vectors = new Float64Array(keep * d);
  for (let i = 0; i < keep; i++)
    for (let j = 0; j < m; j++) {
      const w = small.vectors[i * m + j]!;
      for (let k = 0; k < d; k++) vectors[i * d + k]! += w * q[j * d + k]!;
    }
  return { values: small.values.slice(0, keep), vectors };
}
