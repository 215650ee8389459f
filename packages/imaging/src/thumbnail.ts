import { encodeJpeg } from './codecs.js';
import { decodeImage } from './decode-image.js';
import type { ImageLimits } from './limits.js';
import type { DecodedImage } from './types.js';

/** Options of {@link thumbnail}. */
export interface ThumbnailOptions extends ImageLimits {
  /** Longest side of the result in pixels (default 160). */
  maxSide?: number;
}

/** What {@link thumbnail} returns: the bytes to serve and their media type. */
export interface Thumbnail {
  bytes: Uint8Array;
  contentType: 'image/png' | 'image/jpeg' | 'image/webp';
  width: number;
  height: number;
}

const TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;

/**
 * A small preview of an image for pages that show many (the report's confusion matrix): images whose longest
 * side is at most `maxSide` are returned as they are; larger ones are decoded (EXIF orientation applied),
 * shrunk by area averaging so the longest side is `maxSide`, and encoded as JPEG (quality 80; alpha is flattened
 * onto white by the decoder). A 12-megapixel photo becomes about 10 KB instead of several MB.
 *
 * @throws ImagingError (with its `code`) when the bytes are not an image this package decodes.
 * @example
 * ```ts
 * const { bytes, contentType } = await thumbnail(await store.get('datasets/pets/test/cat/1.jpg'));
 * ```
 */
export async function thumbnail(bytes: Uint8Array, options: ThumbnailOptions = {}): Promise<Thumbnail> {
  const maxSide = options.maxSide ?? 160;
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new RangeError(`maxSide must be a positive integer`);
  const image = await decodeImage(bytes, options);
  if (Math.max(image.width, image.height) <= maxSide) {
    return { bytes, contentType: TYPES[image.format], width: image.width, height: image.height };
  }
  const small = shrink(image, maxSide);
  return {
    bytes: await encodeJpeg(small, { quality: 80 }),
    contentType: 'image/jpeg',
    width: small.width,
    height: small.height,
  };
}

/** Area-average downscale of RGBA pixels so the longest side is `maxSide` (each output pixel averages its box). */
function shrink(
  image: DecodedImage,
  maxSide: number,
): { width: number; height: number; data: Uint8ClampedArray } {
  const scale = maxSide / Math.max(image.width, image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const data = new Uint8ClampedArray(width * height * 4);
  const sums = new Float64Array(width * 4);
  const counts = new Uint32Array(width);
  const column = Uint32Array.from({ length: image.width }, (_, x) =>
    Math.min(width - 1, Math.floor(x * scale)),
  );
  let y0 = 0;
  for (let oy = 0; oy < height; oy++) {
    const y1 = oy === height - 1 ? image.height : Math.min(image.height, Math.round((oy + 1) / scale));
    sums.fill(0);
    counts.fill(0);
    for (let y = y0; y < y1; y++) {
      let i = y * image.width * 4;
      for (let x = 0; x < image.width; x++, i += 4) {
        const o = column[x]!;
        for (let c = 0; c < 4; c++) sums[o * 4 + c] = sums[o * 4 + c]! + image.data[i + c]!;
        counts[o] = counts[o]! + 1;
      }
    }
    for (let ox = 0; ox < width; ox++) {
      const n = Math.max(1, counts[ox]!);
      for (let c = 0; c < 4; c++) data[(oy * width + ox) * 4 + c] = sums[ox * 4 + c]! / n;
    }
    y0 = y1;
  }
  return { width, height, data };
}
