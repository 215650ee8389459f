import { GraftError } from '@graft/errors';

/**
 * Machine-readable codes carried by every {@link ImagingError}.
 *
 * @example
 * ```ts
 * const status = (code: ImagingErrorCode) => (code === 'image_too_large' ? 413 : 415);
 * ```
 */
export type ImagingErrorCode =
  | 'unsupported_format'
  | 'corrupt_image'
  | 'image_too_large'
  | 'empty_image'
  | 'invalid_image';

/**
 * Base class of every error thrown by `@graft/imaging`; `code` is stable and safe to show to API clients.
 *
 * @example
 * ```ts
 * try { await decodeImage(bytes); } catch (e) { if (e instanceof ImagingError) console.log(e.code); }
 * ```
 */
export class ImagingError extends GraftError {
  override name = 'ImagingError';
  declare readonly code: ImagingErrorCode;
  constructor(code: ImagingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The bytes are not JPEG, PNG or WebP (or use a variant the decoders cannot read, such as CMYK JPEG).
 * `detected` names what the bytes look like (`'gif'`, `'pdf'`, `'html'`, `'text'`, ...).
 *
 * @example
 * ```ts
 * throw new UnsupportedFormatError('gif', 'GIF images are not supported');
 * ```
 */
export class UnsupportedFormatError extends ImagingError {
  override name = 'UnsupportedFormatError';
  readonly detected: string;
  constructor(detected: string, message: string, options?: ErrorOptions) {
    super('unsupported_format', message, options);
    this.detected = detected;
  }
}

/**
 * The bytes claim a supported format but are truncated or malformed.
 *
 * @example
 * ```ts
 * throw new CorruptImageError('PNG IHDR chunk is truncated');
 * ```
 */
export class CorruptImageError extends ImagingError {
  override name = 'CorruptImageError';
  constructor(message: string, options?: ErrorOptions) {
    super('corrupt_image', message, options);
  }
}

/**
 * The file or its declared pixel count exceeds the configured limits (checked before decoding).
 *
 * @example
 * ```ts
 * throw new ImageTooLargeError('50000x50000 exceeds 40000000 pixels', { width: 50000, height: 50000 });
 * ```
 */
export class ImageTooLargeError extends ImagingError {
  override name = 'ImageTooLargeError';
  readonly width?: number;
  readonly height?: number;
  readonly byteLength?: number;
  constructor(message: string, details: { width?: number; height?: number; byteLength?: number } = {}) {
    super('image_too_large', message);
    this.width = details.width;
    this.height = details.height;
    this.byteLength = details.byteLength;
  }
}

/**
 * The input has zero bytes.
 *
 * @example
 * ```ts
 * if (bytes.length === 0) throw new EmptyImageError();
 * ```
 */
export class EmptyImageError extends ImagingError {
  override name = 'EmptyImageError';
  constructor(message = 'The image is empty (0 bytes)') {
    super('empty_image', message);
  }
}

/**
 * A caller passed an in-memory image whose shape does not add up (e.g. `data.length` ≠ width×height×4).
 *
 * @example
 * ```ts
 * throw new InvalidImageError('data has 10 bytes, expected 16 for 2x2 RGBA');
 * ```
 */
export class InvalidImageError extends ImagingError {
  override name = 'InvalidImageError';
  constructor(message: string) {
    super('invalid_image', message);
  }
}
