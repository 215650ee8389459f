/**
 * The one place where the @jsquash WASM codecs are located, compiled and initialised. Each codec is
 * compiled lazily on first use (a decode-only process never compiles an encoder) and at most once.
 * In Node the .wasm files are read from the installed packages; other runtimes (edge, browser bundles)
 * hand in precompiled modules with {@link provideCodecModules} before the first call.
 */
import mozjpegDecoderFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import jpegEncode, { init as initJpegEncodeUntyped } from '@jsquash/jpeg/encode.js';
import type { EncodeOptions as JpegEncodeOptions } from '@jsquash/jpeg/meta.js';
import { initEmscriptenModule } from '@jsquash/jpeg/utils.js';
import { init as initPngDecode, decode as pngDecode } from '@jsquash/png/decode.js';
import pngEncode, { init as initPngEncode } from '@jsquash/png/encode.js';
import webpDecode, { init as initWebpDecodeUntyped } from '@jsquash/webp/decode.js';
import webpEncode, { init as initWebpEncodeUntyped } from '@jsquash/webp/encode.js';
import type { EncodeOptions as WebpEncodeOptions } from '@jsquash/webp/meta.js';

/**
 * Encoder options of mozjpeg and libwebp, re-exported from @jsquash.
 *
 * @example
 * ```ts
 * const jpeg: Partial<JpegEncodeOptions> = { quality: 85, progressive: false };
 * ```
 */
export type { JpegEncodeOptions, WebpEncodeOptions };

/** The Emscripten codecs' `init(module, overrides)` (their .d.ts only declares the one-argument form). */
type EmscriptenInit = (module: WebAssembly.Module, overrides: object) => Promise<unknown>;
const initJpegEncode = initJpegEncodeUntyped as unknown as EmscriptenInit;
const initWebpDecode = initWebpDecodeUntyped as unknown as EmscriptenInit;
const initWebpEncode = initWebpEncodeUntyped as unknown as EmscriptenInit;

/**
 * The WASM binaries behind each codec.
 *
 * @example
 * ```ts
 * const name: CodecName = 'jpegDecoder';
 * ```
 */
export type CodecName = 'jpegDecoder' | 'jpegEncoder' | 'png' | 'webpDecoder' | 'webpEncoder';

const WASM_FILES: Record<CodecName, [pkg: string, file: string]> = {
  jpegDecoder: ['@jsquash/jpeg', 'codec/dec/mozjpeg_dec.wasm'],
  jpegEncoder: ['@jsquash/jpeg', 'codec/enc/mozjpeg_enc.wasm'],
  png: ['@jsquash/png', 'codec/pkg/squoosh_png_bg.wasm'],
  webpDecoder: ['@jsquash/webp', 'codec/dec/webp_dec.wasm'],
  webpEncoder: ['@jsquash/webp', 'codec/enc/webp_enc_simd.wasm'],
};

const provided: Partial<Record<CodecName, WebAssembly.Module>> = {};
const ready: Partial<Record<CodecName, Promise<void>>> = {};

/**
 * Messages libjpeg printed during the current decode (warnings such as "Premature end of JPEG file").
 * The mozjpeg module is driven directly (not through @jsquash's async `decode`) so that clearing, decoding
 * and reading these warnings happen in one synchronous step: concurrent decodes cannot mix them up.
 */
const jpegWarnings: string[] = [];
type MozjpegDecoder = Awaited<ReturnType<typeof mozjpegDecoderFactory>>;
let jpegDecoder: Promise<MozjpegDecoder> | undefined;
/** The compiled mozjpeg decoder, kept to start a fresh instance after a failed decode. */
let jpegModule: WebAssembly.Module | undefined;
const quiet = { print: () => {}, printErr: (m: string) => jpegWarnings.push(String(m)) };

/**
 * Supplies precompiled WebAssembly modules (for runtimes without `node:fs`). Must run before first use.
 *
 * @example
 * ```ts
 * provideCodecModules({ jpegDecoder: await WebAssembly.compile(jpegWasmBytes) });
 * ```
 */
export function provideCodecModules(modules: Partial<Record<CodecName, WebAssembly.Module>>): void {
  Object.assign(provided, modules);
}

/** Compiles a codec's .wasm, read from the installed package (node:* modules are loaded only here, on demand). */
async function compile(name: CodecName): Promise<WebAssembly.Module> {
  const given = provided[name];
  if (given) return given;
  const [{ readFileSync }, { createRequire }, { default: path }] = await Promise.all([
    import('node:fs'),
    import('node:module'),
    import('node:path'),
  ]);
  const [pkg, file] = WASM_FILES[name];
  // In a bundle (Lambda) there is no node_modules: the deploy copies every .wasm, flat, into GRAFT_WASM_DIR.
  const flat = process.env.GRAFT_WASM_DIR;
  if (flat) return new WebAssembly.Module(readFileSync(path.join(flat, path.basename(file))));
  const dir = path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  if (name === 'webpEncoder') {
    // @jsquash/webp picks its SIMD glue when the engine validates SIMD; the binary must match it.
    try {
      return new WebAssembly.Module(readFileSync(path.join(dir, file)));
    } catch {
      return new WebAssembly.Module(readFileSync(path.join(dir, 'codec/enc/webp_enc.wasm')));
    }
  }
  return new WebAssembly.Module(readFileSync(path.join(dir, file)));
}

function ensure(name: CodecName): Promise<void> {
  ready[name] ??= (async () => {
    const module = await compile(name);
    switch (name) {
      case 'jpegDecoder':
        jpegModule = module;
        jpegDecoder = initEmscriptenModule(mozjpegDecoderFactory, module, quiet);
        await jpegDecoder;
        return;
      case 'jpegEncoder':
        await initJpegEncode(module, quiet);
        return;
      case 'png':
        // decode.js and encode.js share one wasm-bindgen instance; initialise it once for both.
        await initPngDecode(module);
        await initPngEncode(module);
        return;
      case 'webpDecoder':
        await initWebpDecode(module, quiet);
        return;
      case 'webpEncoder':
        await initWebpEncode(module, quiet);
        return;
    }
  })();
  return ready[name];
}

/** The exact bytes as a standalone ArrayBuffer (copied when `bytes` is a view, e.g. a pooled Node Buffer). */
const asArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.byteOffset === 0 &&
  bytes.byteLength === bytes.buffer.byteLength &&
  bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : new Uint8Array(bytes).buffer;

/**
 * Raw RGBA pixels as codecs take and return them.
 *
 * @example
 * ```ts
 * const red: RawImage = { width: 1, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255]) };
 * ```
 */
export interface RawImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * Decodes a JPEG with mozjpeg (orientation NOT applied) and returns the libjpeg warnings it printed.
 *
 * @example
 * ```ts
 * const { image, warnings } = await decodeJpegRaw(bytes);
 * ```
 */
export async function decodeJpegRaw(bytes: Uint8Array): Promise<{ image: RawImage; warnings: string[] }> {
  await ensure('jpegDecoder');
  const decoder = await jpegDecoder!;
  jpegWarnings.length = 0;
  let image: RawImage | null;
  try {
    image = decoder.decode(asArrayBuffer(bytes), false); // orientation is applied by Graft itself
  } catch (cause) {
    // libjpeg's errors are C++ exceptions thrown out through JS: the instance's stack pointer and the decoder's
    // allocations are never unwound, and after enough of them it decodes garbage or loops forever (found by
    // `graft bench fuzz`). A failed decode therefore retires its instance; the next decode gets a fresh one.
    if (jpegModule && jpegDecoder)
      jpegDecoder = initEmscriptenModule(mozjpegDecoderFactory, jpegModule, quiet);
    throw Object.assign(new Error(jpegWarnings.join('; ') || 'JPEG decoder failed'), { cause });
  }
  if (!image) throw new Error(jpegWarnings.join('; ') || 'JPEG decoder returned no image');
  return { image, warnings: [...jpegWarnings] };
}

/**
 * Decodes a PNG (any colour type/bit depth) to 8-bit RGBA with the squoosh Rust decoder.
 *
 * @example
 * ```ts
 * const rgba = await decodePngRaw(bytes);
 * ```
 */
export async function decodePngRaw(bytes: Uint8Array): Promise<RawImage> {
  await ensure('png');
  return pngDecode(asArrayBuffer(bytes));
}

/**
 * Decodes a still WebP (lossy, lossless, alpha) to RGBA with libwebp.
 *
 * @example
 * ```ts
 * const rgba = await decodeWebpRaw(bytes);
 * ```
 */
export async function decodeWebpRaw(bytes: Uint8Array): Promise<RawImage> {
  await ensure('webpDecoder');
  return webpDecode(asArrayBuffer(bytes));
}

const imageData = (image: RawImage): ImageData =>
  ({ data: image.data, width: image.width, height: image.height, colorSpace: 'srgb' }) as ImageData;

/**
 * Encodes RGBA as PNG (8-bit RGBA colour type).
 *
 * @example
 * ```ts
 * const png = await encodePngRaw({ width: 1, height: 1, data: new Uint8ClampedArray([0, 0, 0, 255]) });
 * ```
 */
export async function encodePngRaw(image: RawImage): Promise<Uint8Array> {
  await ensure('png');
  return new Uint8Array(await pngEncode(imageData(image)));
}

/**
 * Encodes RGBA as JPEG with mozjpeg (defaults: quality 75, progressive; pass `{ progressive: false }` for baseline).
 *
 * @example
 * ```ts
 * const jpeg = await encodeJpeg(image, { quality: 85, progressive: false });
 * ```
 */
export async function encodeJpeg(
  image: RawImage,
  options: Partial<JpegEncodeOptions> = {},
): Promise<Uint8Array> {
  await ensure('jpegEncoder');
  return new Uint8Array(await jpegEncode(imageData(image), options));
}

/**
 * Encodes RGBA as WebP with libwebp (`{ lossless: 1 }` for lossless).
 *
 * @example
 * ```ts
 * const webp = await encodeWebp(image, { quality: 80 });
 * ```
 */
export async function encodeWebp(
  image: RawImage,
  options: Partial<WebpEncodeOptions> = {},
): Promise<Uint8Array> {
  await ensure('webpEncoder');
  return new Uint8Array(await webpEncode(imageData(image), options));
}
