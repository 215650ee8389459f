/**
 * Which `.wasm` files the Worker bundle imports: its virtual import name → the installed file (package subpath).
 * The edge build resolves them, copies each next to the bundle and rewrites the import to `./<file>`.
 *
 * @example
 * ```ts
 * for (const [name, file] of Object.entries(EDGE_WASM_FILES)) console.log(`graft-wasm:${name}`, file);
 * ```
 */
export const EDGE_WASM_FILES = {
  tfjs: '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  jpegDecoder: '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm',
  png: '@jsquash/png/codec/pkg/squoosh_png_bg.wasm',
  webpDecoder: '@jsquash/webp/codec/dec/webp_dec.wasm',
} as const;

/** The prefix of the Worker's virtual `.wasm` imports. */
export const EDGE_WASM_PREFIX = 'graft-wasm:';
