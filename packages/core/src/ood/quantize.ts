/**
 * Symmetric int8 quantisation per row (`x ≈ q · scale / 127`): the compact storage of the kNN bank.
 *
 * @example
 * ```ts
 * const { values, scales } = quantizeRows(bank);
 * const restored = dequantizeRows(values, scales, bank.cols);
 * ```
 */
export function quantizeRows(m: { rows: number; cols: number; data: Float32Array }): {
  values: Int8Array;
  scales: Float32Array;
} {
  const values = new Int8Array(m.rows * m.cols);
  const scales = new Float32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let max = 0;
    for (let j = 0; j < m.cols; j++) max = Math.max(max, Math.abs(m.data[i * m.cols + j]!));
    scales[i] = max;
    for (let j = 0; j < m.cols; j++)
      values[i * m.cols + j] = max === 0 ? 0 : Math.round((m.data[i * m.cols + j]! / max) * 127);
  }
  return { values, scales };
}

/**
 * The float rows back from {@link quantizeRows}.
 *
 * @example
 * ```ts
 * const data = dequantizeRows(values, scales, cols); // Float32Array rows × cols
 * ```
 */
export function dequantizeRows(values: Int8Array, scales: Float32Array, cols: number): Float32Array {
  const data = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = (values[i]! * scales[Math.floor(i / cols)]!) / 127;
  return data;
}
