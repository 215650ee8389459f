import { applyOrientation } from './apply-orientation.js';
import { decodeJpegRaw, decodePngRaw, decodeWebpRaw, type RawImage } from './codecs.js';
import {
  CorruptImageError,
  ImageTooLargeError,
  ImagingError,
  InvalidImageError,
  UnsupportedFormatError,
} from './errors.js';
import { assertPngComplete, assertWebpComplete } from './file-completeness.js';
import { flattenAlpha } from './flatten-alpha.js';
import type { ImageHeader } from './header-types.js';
import { assertByteLimit, assertPixelLimit, type ImageLimits } from './limits.js';
import { readHeader } from './read-header.js';
import type { DecodedImage } from './types.js';
import { extractFirstWebpFrame } from './webp-first-frame.js';

/**
 * Limits plus decoding choices.
 *
 * @example
 * ```ts
 * const options: DecodeOptions = { maxPixels: 12_000_000, keepAlpha: true };
 * ```
 */
export interface DecodeOptions extends ImageLimits {
  /**
   * Keep the alpha channel as decoded. Default `false`: transparent pixels are composited onto white
   * and alpha is set to 255, so every decoded image is opaque RGB(A).
   */
  keepAlpha?: boolean;
}

/**
 * Decodes JPEG, PNG or WebP bytes to RGBA after checking the limits against the header, so an
 * oversized image is rejected before any pixel memory is allocated.
 *
 * - JPEG: EXIF orientation (1–8) applied; baseline, progressive and grayscale decode; CMYK/YCCK (print and stock
 *   photos) through a JavaScript decoder (`jpeg-js`), since libjpeg cannot turn four channels into RGB.
 *   A truncated JPEG (libjpeg "premature end") is rejected as corrupt rather than returned half grey.
 * - PNG/WebP: a file that ends before IEND / its RIFF size is rejected as truncated.
 * - PNG: gray, gray+alpha, palette (incl. tRNS), RGB, RGBA, 1–16 bit (16-bit reduced to 8).
 * - WebP: lossy, lossless, alpha; animated → the first frame placed on its canvas.
 * - Alpha: composited onto white unless `keepAlpha` (see {@link DecodeOptions}).
 *
 * @throws EmptyImageError, UnsupportedFormatError, CorruptImageError, ImageTooLargeError
 * @example
 * ```ts
 * const image = await decodeImage(await readFile('cat.jpg'), { maxPixels: 20_000_000 });
 * console.log(image.width, image.height, image.data.length); // 640 480 1228800
 * ```
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  if (!(bytes instanceof Uint8Array))
    throw new InvalidImageError('decodeImage expects a Uint8Array (or Buffer)');
  assertByteLimit(bytes.length, options);
  const header = readHeader(bytes);
  assertPixelLimit(header.width, header.height, options);
  let raw: RawImage;
  try {
    raw = await decodePixels(bytes, header);
  } catch (error) {
    if (error instanceof ImagingError) throw error;
    throw new CorruptImageError(`${header.format.toUpperCase()}: ${describe(error)}`, { cause: error });
  }
  if (raw.data.length !== raw.width * raw.height * 4) {
    throw new CorruptImageError(`${header.format.toUpperCase()}: decoder returned an inconsistent buffer`);
  }
  if (!options.keepAlpha) flattenAlpha(raw.data);
  return { width: raw.width, height: raw.height, data: raw.data, format: header.format };
}

async function decodePixels(bytes: Uint8Array, header: ImageHeader): Promise<RawImage> {
  switch (header.format) {
    case 'jpeg':
      return decodeJpeg(bytes, header);
    case 'png':
      assertPngComplete(bytes);
      return expectSize(await decodePngRaw(bytes), header);
    case 'webp':
      assertWebpComplete(bytes);
      return header.animated
        ? decodeAnimatedWebp(bytes, header)
        : expectSize(await decodeWebpRaw(bytes), header);
  }
}

async function decodeJpeg(bytes: Uint8Array, header: ImageHeader): Promise<RawImage> {
  if (header.components === 4) return decodeCmykJpeg(bytes, header);
  let result: Awaited<ReturnType<typeof decodeJpegRaw>>;
  try {
    result = await decodeJpegRaw(bytes);
  } catch (error) {
    const message = describe(error);
    if (/not supported|unsupported/i.test(message)) {
      throw new UnsupportedFormatError('jpeg', `JPEG variant not supported: ${message}`, { cause: error });
    }
    throw new CorruptImageError(`JPEG: ${message}`, { cause: error });
  }
  const truncated = result.warnings.find((w) => /premature end/i.test(w));
  if (truncated) throw new CorruptImageError(`JPEG: truncated (${truncated.trim()})`);
  return applyOrientation(expectSize(result.image, header), header.orientation);
}

/**
 * Largest CMYK JPEG decoded: 8 MP. jpeg-js holds each component's DCT coefficients as 32-bit numbers, its planes and
 * its outputs at once, synchronously. Measured at 3264×2448: a photo took 0.46 s and raised RSS by 250 MB, plasma
 * noise (7 MB of entropy) 1.0 s and 330 MB; at 4000×3000, noise took 1.5–1.9 s and 490 MB.
 */
const CMYK_MAX_PIXELS = 8_000_000;
/** jpeg-js's memory per pixel of a 4-component JPEG: 4 × 4 B of coefficients, 4 planes, the CMYK and RGBA outputs. */
const CMYK_BYTES_PER_PIXEL = 28;

/**
 * CMYK or YCCK JPEG (four components): decoded by `jpeg-js`, which converts to RGB (Adobe's inverted CMYK included);
 * loaded only when such a file comes. Strict: a file that ends early is corrupt, not padded with grey. The pixel
 * limit was checked on the header; the decoder's own memory cap is set from it.
 */
async function decodeCmykJpeg(bytes: Uint8Array, header: ImageHeader): Promise<RawImage> {
  const pixels = header.width * header.height;
  if (pixels > CMYK_MAX_PIXELS)
    throw new ImageTooLargeError(
      `The CMYK JPEG is ${header.width}x${header.height} = ${pixels} pixels; CMYK decodes in JavaScript (~40 bytes and 60–130 ns per pixel), up to ${CMYK_MAX_PIXELS}: save it as RGB or smaller`,
      { width: header.width, height: header.height },
    );
  const { decode } = await import('jpeg-js');
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: Math.ceil(pixels / 1e6) + 1,
      // jpeg-js's own cap, above what it needs (its coefficient blocks, planes and outputs, MCU padding)
      maxMemoryUsageInMB: Math.ceil((pixels * CMYK_BYTES_PER_PIXEL * 1.5) / 2 ** 20) + 32,
    });
  } catch (error) {
    if (/unsupported color mode/i.test(describe(error)))
      throw new UnsupportedFormatError(
        'jpeg-cmyk',
        'a 4-component JPEG without the Adobe marker (its colour space is not stated); save it as RGB',
        { cause: error },
      );
    throw error;
  }
  const data = new Uint8ClampedArray(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  return applyOrientation(
    expectSize({ width: decoded.width, height: decoded.height, data }, header),
    header.orientation,
  );
}

async function decodeAnimatedWebp(bytes: Uint8Array, header: ImageHeader): Promise<RawImage> {
  const frame = extractFirstWebpFrame(bytes);
  const first = await decodeWebpRaw(frame.still);
  const canvas = new Uint8ClampedArray(header.width * header.height * 4); // transparent
  for (let row = 0; row < first.height; row++) {
    const src = first.data.subarray(row * first.width * 4, (row + 1) * first.width * 4);
    canvas.set(src, ((frame.y + row) * header.width + frame.x) * 4);
  }
  return { width: header.width, height: header.height, data: canvas };
}

function expectSize(image: RawImage | null | undefined, header: ImageHeader): RawImage {
  if (!image?.data)
    throw new CorruptImageError(`${header.format.toUpperCase()}: the decoder returned no image`);
  if (image.width !== header.width || image.height !== header.height) {
    throw new CorruptImageError(
      `${header.format.toUpperCase()}: header says ${header.width}x${header.height}, data decodes to ${image.width}x${image.height}`,
    );
  }
  return image;
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === 'string' ? error : 'decoder failed';
