const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Converts one float32 value to IEEE 754 binary16 bits, rounding to nearest, ties to even.
 * Handles subnormals, overflow to ±Infinity (above 65504 after rounding) and NaN.
 *
 * @example
 * ```ts
 * toFloat16Bits(1); // 0x3c00
 * toFloat16Bits(65520); // 0x7c00 (Infinity: rounds up past the largest half)
 * ```
 */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0); // Inf / NaN (quiet)
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    // subnormal half (or zero): shift the full 24-bit significand
    if (e < -10) return sign; // below half the smallest subnormal → ±0
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rest > half || (rest === half && (h & 1) === 1)) h += 1;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h += 1; // may carry into exponent (→ Inf): correct
  return sign | h;
}

/**
 * Converts IEEE 754 binary16 bits to a number.
 *
 * @example
 * ```ts
 * fromFloat16Bits(0x3c00); // 1
 * fromFloat16Bits(0x0001); // 5.960464477539063e-8 (smallest subnormal)
 * ```
 */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Encodes a float32 array as float16 bits.
 *
 * @example
 * ```ts
 * float32ToFloat16(new Float32Array([0.5, -2])); // Uint16Array [0x3800, 0xc000]
 * ```
 */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]!);
  return out;
}

/**
 * Decodes float16 bits to float32.
 *
 * @example
 * ```ts
 * float16ToFloat32(new Uint16Array([0x3800])); // Float32Array [0.5]
 * ```
 */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = fromFloat16Bits(bits[i]!);
  return out;
}
