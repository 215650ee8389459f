export { applyOrientation } from './apply-orientation.js';
export {
  type CodecName,
  encodeJpeg,
  encodeWebp,
  type JpegEncodeOptions,
  provideCodecModules,
  type RawImage,
  type WebpEncodeOptions,
} from './codecs.js';
export { type DecodeOptions, decodeImage } from './decode-image.js';
export { encodePng, type PixelsToEncode } from './encode-png.js';
export {
  CorruptImageError,
  EmptyImageError,
  ImageTooLargeError,
  ImagingError,
  type ImagingErrorCode,
  InvalidImageError,
  UnsupportedFormatError,
} from './errors.js';
export { parseExifOrientation } from './exif-orientation.js';
export type { ImageHeader, Orientation } from './header-types.js';
export { assertByteLimit, assertPixelLimit, DEFAULT_LIMITS, type ImageLimits } from './limits.js';
export { readHeader } from './read-header.js';
export { type SniffedFormat, sniffFormat } from './sniff-format.js';
export { type Thumbnail, type ThumbnailOptions, thumbnail } from './thumbnail.js';
export {
  MOBILENET_V2_PREPROCESSING,
  type ModelInputSpec,
  toModelInput,
  toModelInputBatch,
} from './to-model-input.js';
export type { DecodedImage, ImageFormat, Preprocessing } from './types.js';
