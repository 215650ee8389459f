/**
 * Reads an unsigned big-endian 16-bit integer; the caller checks bounds.
 *
 * @example
 * ```ts
 * u16be(new Uint8Array([1, 2]), 0); // 258
 * ```
 */
export const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

/**
 * Reads an unsigned big-endian 32-bit integer.
 *
 * @example
 * ```ts
 * u32be(new Uint8Array([0, 0, 1, 0]), 0); // 256
 * ```
 */
export const u32be = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/**
 * Reads an unsigned little-endian 16-bit integer.
 *
 * @example
 * ```ts
 * u16le(new Uint8Array([2, 1]), 0); // 258
 * ```
 */
export const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

/**
 * Reads an unsigned little-endian 24-bit integer (WebP VP8X/ANMF fields).
 *
 * @example
 * ```ts
 * u24le(new Uint8Array([0, 0, 1]), 0); // 65536
 * ```
 */
export const u24le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);

/**
 * Reads an unsigned little-endian 32-bit integer.
 *
 * @example
 * ```ts
 * u32le(new Uint8Array([0, 1, 0, 0]), 0); // 256
 * ```
 */
export const u32le = (b: Uint8Array, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/**
 * Four-character code (chunk type) at `at`.
 *
 * @example
 * ```ts
 * fourcc(pngBytes, 12); // 'IHDR'
 * ```
 */
export const fourcc = (b: Uint8Array, at: number): string =>
  String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
