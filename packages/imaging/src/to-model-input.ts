import { tf } from '@graft/runtime';
import { InvalidImageError } from './errors.js';
import type { DecodedImage, Preprocessing } from './types.js';

/**
 * How an image becomes a square model input.
 *
 * @example
 * ```ts
 * const spec: ModelInputSpec = { size: 224, preprocessing: MOBILENET_V2_PREPROCESSING, fit: 'crop' };
 * ```
 */
export interface ModelInputSpec {
  /** Output side in pixels (e.g. 224). */
  size: number;
  /** `x * scale + offset` on 0–255 RGB values. */
  preprocessing: Preprocessing;
  /** `'squash'` (default): the whole image resized to a square; `'crop'`: the centred square, then resized. */
  fit?: 'squash' | 'crop';
}

/**
 * MobileNetV2's preprocessing: RGB 0–255 → [-1, 1].
 *
 * @example
 * ```ts
 * toModelInput(image, { size: 224, preprocessing: MOBILENET_V2_PREPROCESSING });
 * ```
 */
export const MOBILENET_V2_PREPROCESSING: Readonly<Preprocessing> = Object.freeze({
  scale: 1 / 127.5,
  offset: -1,
});

/**
 * Turns a decoded RGBA image into a float32 `[size, size, 3]` RGB tensor: optional centre crop, bilinear
 * resize (half-pixel centres, as TF2/Keras), then `x * scale + offset`. The caller disposes the tensor.
 *
 * @example
 * ```ts
 * const x = toModelInput(image, { size: 224, preprocessing: { scale: 1 / 127.5, offset: -1 } });
 * const logits = model.predict(x.expandDims(0));
 * x.dispose();
 * ```
 */
export function toModelInput(image: DecodedImage, spec: ModelInputSpec): tf.Tensor3D {
  validate(image, spec);
  const { size, preprocessing, fit = 'squash' } = spec;
  const side = Math.min(image.width, image.height);
  const crop =
    fit === 'crop'
      ? { x: (image.width - side) >> 1, y: (image.height - side) >> 1, width: side, height: side }
      : { x: 0, y: 0, width: image.width, height: image.height };
  // A huge image (a 35 KB PNG can declare 6000×6000) is first averaged down by whole factors, so the float
  // copy and the tensor hold at most ~8×size per side instead of every pixel (1.3 GB of RSS for 36 MP).
  const fx = Math.max(1, Math.floor(crop.width / (PRE_REDUCE_AT * size)));
  const fy = Math.max(1, Math.floor(crop.height / (PRE_REDUCE_AT * size)));
  const rgb = extractRgb(image, crop, fx, fy);
  const height = Math.floor(crop.height / fy);
  const width = Math.floor(crop.width / fx);
  return tf.tidy(() => {
    const pixels = tf.tensor3d(rgb, [height, width, 3], 'float32');
    const resized =
      width === size && height === size ? pixels : tf.image.resizeBilinear(pixels, [size, size], false, true);
    return resized.mul(preprocessing.scale).add(preprocessing.offset) as tf.Tensor3D;
  });
}

/**
 * {@link toModelInput} for many images, stacked into a `[n, size, size, 3]` batch.
 *
 * @example
 * ```ts
 * const batch = toModelInputBatch([a, b], { size: 224, preprocessing: MOBILENET_V2_PREPROCESSING });
 * batch.shape; // [2, 224, 224, 3]
 * ```
 */
export function toModelInputBatch(images: readonly DecodedImage[], spec: ModelInputSpec): tf.Tensor4D {
  if (images.length === 0) throw new InvalidImageError('toModelInputBatch needs at least one image');
  return tf.tidy(() => tf.stack(images.map((image) => toModelInput(image, spec))) as tf.Tensor4D);
}

/** Pre-reduction starts when a side is at least this many times the model input (then ≥ 4× remains). */
const PRE_REDUCE_AT = 8;

/**
 * Copies the RGB of a rectangle of an RGBA image into a float32 HWC array, averaging `fx × fy` blocks
 * (box filter; trailing pixels that do not fill a block are dropped) when a factor is above 1.
 */
function extractRgb(
  image: DecodedImage,
  r: { x: number; y: number; width: number; height: number },
  fx = 1,
  fy = 1,
): Float32Array {
  if (fx > 1 || fy > 1) return boxReduce(image, r, fx, fy);
  const out = new Float32Array(r.width * r.height * 3);
  const { data, width } = image;
  let o = 0;
  for (let y = r.y; y < r.y + r.height; y++) {
    let i = (y * width + r.x) * 4;
    for (let x = 0; x < r.width; x++, i += 4) {
      out[o++] = data[i]!;
      out[o++] = data[i + 1]!;
      out[o++] = data[i + 2]!;
    }
  }
  return out;
}

function boxReduce(
  image: DecodedImage,
  r: { x: number; y: number; width: number; height: number },
  fx: number,
  fy: number,
): Float32Array {
  const width = Math.floor(r.width / fx);
  const height = Math.floor(r.height / fy);
  const out = new Float32Array(width * height * 3);
  const { data } = image;
  const area = fx * fy;
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let y = r.y + oy * fy; y < r.y + (oy + 1) * fy; y++) {
        let i = (y * image.width + r.x + ox * fx) * 4;
        for (let x = 0; x < fx; x++, i += 4) {
          red += data[i]!;
          green += data[i + 1]!;
          blue += data[i + 2]!;
        }
      }
      const o = (oy * width + ox) * 3;
      out[o] = red / area;
      out[o + 1] = green / area;
      out[o + 2] = blue / area;
    }
  }
  return out;
}

function validate(image: DecodedImage, spec: ModelInputSpec): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidImageError(`Invalid image dimensions ${width}x${height}`);
  }
  if (data.length !== width * height * 4) {
    throw new InvalidImageError(`RGBA data has ${data.length} bytes, expected ${width * height * 4}`);
  }
  if (!Number.isInteger(spec.size) || spec.size < 1) throw new InvalidImageError(`Invalid size ${spec.size}`);
  const { scale, offset } = spec.preprocessing;
  if (!Number.isFinite(scale) || !Number.isFinite(offset)) {
    throw new InvalidImageError('preprocessing.scale and preprocessing.offset must be finite numbers');
  }
}
